using Events.Grains.Mail;
using Events.Grains.Pitches;
using Events.Grains.Journal;

namespace Events.Grains.Tests.Pitches;

// A scorecard's follow-up request and the mail it promises follow from the committed scorecard:
// a save that is refused leaves neither behind.
public sealed class FollowUpFollowingTests
{
    private const string Investor = "investor@fund.example.org";

    private static ScorecardInput Scores(Interest interest) =>
        new(Enumerable.Range(1, 5).ToDictionary(i => $"c{i}", _ => 4), "", "", interest, false);

    private static async Task<IPitchRoomGrain> OpenRoomAsync(IGrainFactory grains, string slug)
    {
        await grains.GetGrain<IPitchCardsGrain>(slug).SaveAsync("team@kampala.example.org", "kampala", new PitchCardContent(
            "Kampala", "Routes", "An app", "3,000 riders", "USD 80,000", "An operator", null, null, "Joseph Okello", "joseph@kampala.example.org"));
        var room = grains.GetGrain<IPitchRoomGrain>($"{slug}/s4");
        await room.AddPitchAsync("m", "kampala");
        await room.ControlAsync("m", "kampala", PitchControl.StartPitch, 10);
        await room.ControlAsync("m", "kampala", PitchControl.OpenScoring, 0);
        return room;
    }

    [Fact]
    public async Task A_scorecard_refused_by_a_write_conflict_leaves_no_follow_up_request_and_no_promised_mail()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var first = await db.StartClusterAsync();
        var second = await db.StartClusterAsync();
        var slug = $"event-{Guid.NewGuid():N}";
        var room = await OpenRoomAsync(first.Client, slug);
        var stale = second.Client.GetGrain<IPitchRoomGrain>($"{slug}/s4");
        await stale.GetAsync();

        await room.SaveScorecardAsync("other@fund.example.org", "kampala", Scores(Interest.Pass), null);
        await Assert.ThrowsAsync<JournalConflictException>(() => stale.SaveScorecardAsync(Investor, "kampala", Scores(Interest.FollowUp), null));

        Assert.Empty(await first.Client.GetGrain<IFollowUpsGrain>(slug).ListAsync());
        Assert.Empty(await first.Client.GetGrain<IMailOutboxGrain>(slug).PendingAsync());
    }

    [Fact]
    public async Task An_acknowledged_follow_up_choice_has_its_request_and_its_promised_mail_and_a_change_of_mind_withdraws_it()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var cluster = await db.StartClusterAsync();
        var slug = $"event-{Guid.NewGuid():N}";
        var room = await OpenRoomAsync(cluster.Client, slug);
        var followUps = cluster.Client.GetGrain<IFollowUpsGrain>(slug);
        var outbox = cluster.Client.GetGrain<IMailOutboxGrain>(slug);

        await room.SaveScorecardAsync(Investor, "kampala", Scores(Interest.FollowUp), "k1");

        var request = Assert.Single(await followUps.ListAsync());
        Assert.Equal(("Kampala", "s4", FollowUpStatus.Requested), (request.TeamName, request.Session, request.Status));
        var promise = Assert.Single(await outbox.PendingAsync());
        Assert.Equal(new Events.Grains.Journal.JournalKey("follow-ups", slug), promise.Source);

        // A second mailer does not get a promise the first is sending; once sent it is gone.
        Assert.Single(await outbox.ClaimAsync(TimeSpan.FromMinutes(2)));
        Assert.Empty(await outbox.ClaimAsync(TimeSpan.FromMinutes(2)));
        await outbox.SentAsync(promise.Id);
        Assert.Empty(await outbox.PendingAsync());

        await room.SaveScorecardAsync(Investor, "kampala", Scores(Interest.Pass), "k2");
        Assert.Empty(await followUps.ListAsync());
    }
}
