using System.Text.Json;
using Events.Grains.Announcements;
using Events.Grains.Audit;
using Events.Grains.Journal;
using Events.Grains.Questions;

namespace Events.Grains.Tests.Audit;

public sealed class AuditTrailTests
{
    private const string Moderator = "moderator@example.org";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // What the trail holds when an action is acknowledged is what survives a kill -9 right after it.
    [Theory]
    [InlineData(TestDatabase.Sqlite)]
    [InlineData(TestDatabase.Postgres)]
    public async Task Every_acknowledged_audited_action_is_in_the_trail_by_the_time_it_is_acknowledged(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var cluster = await db.StartClusterAsync();
        var slug = $"event-{Guid.NewGuid():N}";
        var announcements = cluster.Client.GetGrain<IAnnouncementsGrain>(slug);

        await Task.WhenAll(Enumerable.Range(0, 60).Select(i => announcements.PostAsync(Moderator, new PostAnnouncement($"Notice {i}", null, $"k{i}"))));
        await cluster.Client.GetGrain<IQuestionBansGrain>(slug).BanAsync(Moderator, "heckler@example.org");
        var entries = await cluster.Client.GetGrain<IAuditTrailGrain>(slug).ListAsync(1000);

        Assert.Equal(60, entries.Count(e => e.What?.Kind == "announcement-posted"));
        Assert.Single(entries, e => e.Source == "question-bans");
    }

    [Fact]
    public async Task An_action_committed_by_a_process_killed_before_its_audit_entry_is_recorded_by_the_next_commit_and_only_once()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        await using var cluster = await db.StartClusterAsync();
        var slug = $"event-{Guid.NewGuid():N}";
        var journal = new JournalKey("announcements", slug);
        var trail = cluster.Client.GetGrain<IAuditTrailGrain>(slug);

        // Another process appended this and was killed before recording it.
        var lost = new Announcement("a1", "Committed, never recorded", Moderator, DateTimeOffset.UtcNow, null);
        await db.Store.AppendAsync(journal, [new StoredEvent(1, JsonSerializer.Serialize<AnnouncementEvent>(new AnnouncementPosted(lost, "k1"), GrainJson.Options), lost.PostedAt)], null, Ct);

        await cluster.Client.GetGrain<IAnnouncementsGrain>(slug).PostAsync(Moderator, new PostAnnouncement("After the restart", null, "k2"));
        // A second delivery of the first (a retry) adds nothing.
        await trail.FollowAsync(journal, 1, [new GrainEvent(journal, 1, new AnnouncementPosted(lost with { Markdown = "again" }, "k1"), lost.PostedAt)]);

        var actions = (await trail.ListAsync(10)).Select(e => e.What!.Arguments[1].Value).Reverse().ToList();
        Assert.Equal(2, actions.Count);
        Assert.Contains("Committed, never recorded", actions[0]);
        Assert.Contains("After the restart", actions[1]);
    }
}
