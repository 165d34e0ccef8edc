using Events.Grains.Matchmaking;

namespace Events.Grains.Tests.Matchmaking;

public sealed class SuggestionEngineTests
{
    private static DirectoryEntry Entry(string id, string name, OrgType type, string city, string[] themes, (string Theme, string Title)[] needs, (string Theme, string Title)[] offers) =>
        new(id, new ProfileDraft(name, name, type, city, "KE", ["en"], "", [.. themes],
            [.. needs.Select(n => new NeedOffer(n.Theme, n.Title, ""))], [.. offers.Select(o => new NeedOffer(o.Theme, o.Title, ""))]), false, false);

    // Kumasi needs mobility data; Kisumu offers a parking data platform; an investor shares the
    // mobility theme; a university shares nothing.
    private static readonly DirectoryEntry Kumasi = Entry("p1", "Kumasi digital unit", OrgType.City, "Kumasi", ["Mobility", "Open data"],
        [("Mobility", "Mobility data")], [("Open data", "Open data portal know-how")]);

    private static readonly DirectoryEntry Kisumu = Entry("p2", "Kisumu county", OrgType.City, "Kisumu", ["Mobility"],
        [("Open data", "Publishing datasets")], [("Mobility", "Parking data platform")]);

    private static readonly DirectoryEntry Fund = Entry("p3", "Urban Fund", OrgType.Investor, "", ["Mobility"], [], []);

    private static readonly DirectoryEntry Campus = Entry("p4", "Campus Lab", OrgType.University, "", ["Land"], [], [("Land", "Cadastre training")]);

    [Fact]
    public void A_need_met_by_an_offer_counts_most_and_every_reason_is_said()
    {
        var engine = new SuggestionEngine([Kumasi, Kisumu, Fund, Campus]);

        var forKumasi = engine.For(Kumasi, new HashSet<string>());

        // Kisumu: 10 (their offer, my need) + 6 (my offer, their need) + 2 (Mobility shared) = 18.
        // The fund: 2 (Mobility shared) + 3 (a city and an investor) = 5. The campus: nothing.
        Assert.Equal([("p2", 18), ("p3", 5)], forKumasi.Select(s => (s.Person.PersonId, s.Score)));
        Assert.Equal(
            [
                new SuggestionReason(ReasonKind.TheyOfferWhatYouNeed, "Kisumu", "Parking data platform", "Mobility data"),
                new SuggestionReason(ReasonKind.YouOfferWhatTheyNeed, "Kisumu", "Publishing datasets", "Open data portal know-how"),
                new SuggestionReason(ReasonKind.SharedThemes, "Kisumu", "Mobility", ""),
            ],
            forKumasi[0].Reasons);
        Assert.Equal(new SuggestionReason(ReasonKind.ComplementaryTypes, "Urban Fund", "Investor", "City"), forKumasi[1].Reasons[^1]);
    }

    [Fact]
    public void People_already_met_or_declined_are_left_out_and_ties_are_broken_the_same_way_every_time()
    {
        var twins = Enumerable.Range(0, 15).Select(i => Entry($"t{i:D2}", $"Twin {i}", OrgType.Investor, "", ["Mobility"], [], [])).ToList();
        var engine = new SuggestionEngine([Kumasi, Kisumu, .. twins.AsEnumerable().Reverse()]);

        var first = engine.For(Kumasi, new HashSet<string> { "p2" });
        var again = new SuggestionEngine([.. twins, Kisumu, Kumasi]).For(Kumasi, new HashSet<string> { "p2" });

        Assert.DoesNotContain(first, s => s.Person.PersonId is "p2" or "p1");
        Assert.Equal(SuggestionEngine.MaxSuggestions, first.Length);
        Assert.Equal([.. Enumerable.Range(0, 10).Select(i => $"t{i:D2}")], first.Select(s => s.Person.PersonId));
        Assert.Equal(first.Select(s => s.Person.PersonId), again.Select(s => s.Person.PersonId));
    }

    [Fact]
    public void An_investor_s_high_pitch_score_brings_a_team_up_with_the_score_said_and_a_middling_one_does_not()
    {
        var engine = new SuggestionEngine([Kumasi, Kisumu, Fund, Campus]);
        var scores = new Dictionary<string, decimal> { ["p4"] = 4.5m, ["p2"] = 3m };

        var forFund = engine.For(Fund, new HashSet<string>(), pitchScores: scores);

        // Campus shares nothing with the fund but its pitch scored 4.5: 8. Kisumu and Kumasi: 2 + 3 each;
        // Kisumu's 3 out of 5 adds nothing.
        Assert.Equal([("p4", 8), ("p1", 5), ("p2", 5)], forFund.Select(s => (s.Person.PersonId, s.Score)));
        Assert.Equal([new SuggestionReason(ReasonKind.YouScoredTheirPitch, "Campus Lab", "4.5", "")], forFund[0].Reasons);
        Assert.DoesNotContain(forFund[2].Reasons, r => r.Kind == ReasonKind.YouScoredTheirPitch);
    }
}
