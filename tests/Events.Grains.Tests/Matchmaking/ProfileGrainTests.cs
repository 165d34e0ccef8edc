using System.Collections.Immutable;
using Events.Grains.Matchmaking;

namespace Events.Grains.Tests.Matchmaking;

public sealed class ProfileGrainTests
{
    private static ProfileDraft Draft(string name = "Amina Odhiambo", string intro = "We run **Kisumu**'s parking pilot.") =>
        new(name, "Kisumu county", OrgType.City, "Kisumu", "Kenya", ["en", "sw"], intro, ["Mobility"],
            [new NeedOffer("Mobility", "Mobility data", "Counts of matatu trips.")], [new NeedOffer("Mobility", "Parking data platform", "Open source.")]);

    private static async Task<(GrainCluster Cluster, string Slug)> StartAsync(TestDatabase db)
    {
        var cluster = await db.StartClusterAsync();
        var slug = $"event-{Guid.NewGuid():N}";
        await cluster.GetGrain<IMatchmakingGrain>(slug).SetSettingsAsync("organiser@example.org", MatchSettings.Default with { Themes = ["Mobility", "Land"] });
        return (cluster, slug);
    }

    [Fact]
    public async Task Markup_control_characters_and_ten_kilobyte_fields_are_refused_with_the_field_named_and_nothing_is_stored()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (cluster, slug) = await StartAsync(db);
        var profile = cluster.GetGrain<IProfileGrain>($"{slug}/amina@example.org");

        var html = await Assert.ThrowsAsync<ValidationFailedException>(() => profile.SaveAsync(Draft(intro: "<script>alert(1)</script>"), true));
        var control = await Assert.ThrowsAsync<ValidationFailedException>(() => profile.SaveAsync(Draft(name: "Amina\u0007"), true));
        var huge = await Assert.ThrowsAsync<ValidationFailedException>(() => profile.SaveAsync(Draft(intro: new string('x', 10_240)), true));
        var theme = await Assert.ThrowsAsync<ValidationFailedException>(() => profile.SaveAsync(Draft() with { Themes = ["Space travel"] }, true));
        var tooMany = await Assert.ThrowsAsync<ValidationFailedException>(() => profile.SaveAsync(Draft() with { Needs = [.. Enumerable.Range(0, 6).Select(i => new NeedOffer("Land", $"Need {i}", ""))] }, true));

        Assert.Equal((Problem.ProfileMarkup, ProfileField.Intro), (html.Problem, (ProfileField)html.Arguments[0]));
        Assert.Equal((Problem.ProfileControlCharacters, ProfileField.Name), (control.Problem, (ProfileField)control.Arguments[0]));
        Assert.Equal((Problem.ProfileFieldTooLong, ProfileField.Intro, 1_000, 10_240), (huge.Problem, (ProfileField)huge.Arguments[0], (int)huge.Arguments[1], (int)huge.Arguments[2]));
        Assert.Equal(Problem.ProfileThemeUnknown, theme.Problem);
        Assert.Equal(Problem.ProfileTooManyItems, tooMany.Problem);
        Assert.Null(await profile.GetAsync());
        Assert.Equal(0, (await cluster.GetGrain<IDirectoryGrain>(slug).ListAsync(new DirectoryQuery(null, null, null, null, false, 1, 50), [], organiser: true)).Total);
        Assert.Null(await cluster.GetGrain<IPersonMatchGrain>("amina@example.org").LastAsync());
    }

    [Fact]
    public async Task Only_consenting_profiles_that_are_not_hidden_reach_the_directory_and_the_last_profile_is_offered_at_the_next_event()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (cluster, slug) = await StartAsync(db);
        var directory = cluster.GetGrain<IDirectoryGrain>(slug);
        var amina = await cluster.GetGrain<IProfileGrain>($"{slug}/amina@example.org").SaveAsync(Draft(), listed: true);
        await cluster.GetGrain<IProfileGrain>($"{slug}/joao@example.org").SaveAsync(Draft(name: "João Matola"), listed: false);
        var all = new DirectoryQuery(null, null, null, null, false, 1, 50);

        var listed = await directory.ListAsync(all, [], organiser: false);
        await cluster.GetGrain<IProfileGrain>($"{slug}/amina@example.org").ModerateAsync("organiser@example.org", ProfileModeration.Hide);
        var afterHide = await directory.ListAsync(all, [], organiser: false);
        var organisersSee = await directory.ListAsync(all, [], organiser: true);
        await cluster.GetGrain<IProfileGrain>($"{slug}/amina@example.org").ModerateAsync("organiser@example.org", ProfileModeration.Show);
        await cluster.GetGrain<IProfileGrain>($"{slug}/amina@example.org").ModerateAsync("organiser@example.org", ProfileModeration.Verify);
        await cluster.GetGrain<IProfileGrain>($"{slug}/amina@example.org").SetListedAsync(false);
        var afterWithdraw = await directory.VisibleAsync();
        var nextEvent = await cluster.GetGrain<IPersonMatchGrain>("amina@example.org").LastAsync();
        var audit = await cluster.GetGrain<Events.Grains.Audit.IAuditTrailGrain>(slug).ListAsync(50);

        Assert.Equal(["Amina Odhiambo"], listed.Entries.Select(e => e.Profile.Name));
        Assert.Equal(amina.PersonId, listed.Entries[0].PersonId);
        Assert.DoesNotContain("@", amina.PersonId);
        Assert.Empty(afterHide.Entries);
        Assert.True(organisersSee.Entries.Single().Hidden);
        Assert.Empty(afterWithdraw);
        Assert.Equal("Parking data platform", nextEvent!.Offers.Single().Title);
        Assert.Contains(audit, a => a.What is { Kind: "profile-moderated" } what && what.Arguments[0].Value == "ProfileModeration.Hide" && what.Arguments[1].Value == "Amina Odhiambo");
        Assert.Contains(audit, a => a.What is { Kind: "profile-moderated" } what && what.Arguments[0].Value == "ProfileModeration.Verify");
    }

    [Fact]
    public async Task Filters_find_people_by_type_theme_country_language_and_whether_they_offer_what_I_need()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (cluster, slug) = await StartAsync(db);
        await cluster.GetGrain<IProfileGrain>($"{slug}/a@example.org").SaveAsync(Draft(name: "A city"), true);
        await cluster.GetGrain<IProfileGrain>($"{slug}/b@example.org").SaveAsync(Draft(name: "B fund") with { Type = OrgType.Investor, Country = "France", Languages = ["fr"], Offers = [], Themes = ["Land"] }, true);
        var directory = cluster.GetGrain<IDirectoryGrain>(slug);
        static DirectoryQuery Q(OrgType? type = null, string? theme = null, string? country = null, string? language = null, bool offers = false) => new(type, theme, country, language, offers, 1, 50);
        ImmutableArray<NeedOffer> needs = [new NeedOffer("Mobility", "Mobility data", "")];

        async Task<string[]> Names(DirectoryQuery q) => [.. (await directory.ListAsync(q, needs, false)).Entries.Select(e => e.Profile.Name)];

        Assert.Equal(["B fund"], await Names(Q(type: OrgType.Investor)));
        Assert.Equal(["B fund"], await Names(Q(theme: "Land")));
        Assert.Equal(["A city"], await Names(Q(country: "kenya")));
        Assert.Equal(["B fund"], await Names(Q(language: "fr")));
        Assert.Equal(["A city"], await Names(Q(offers: true)));
    }
}
