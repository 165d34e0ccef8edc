using System.Collections.Concurrent;
using Events.Grains.Agenda;
using Events.Grains.Audit;
using Events.Grains.Journal;
using Events.Grains.Mail;

namespace Events.Grains.Tests.Audit;

// A process that dies between a commit and handing it to the followers (the audit trail, the mail
// outbox) leaves a hand-over row; the next start hands the commit over without anyone touching
// the source again (issue 15, item 3).
public sealed class HandOverCatchUpTests
{
    private const string Organiser = "organiser@example.org";

    // The events whose audit trail refuses hand-overs: the death of the process at that point.
    private static readonly ConcurrentDictionary<string, bool> Doomed = new(StringComparer.Ordinal);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void LoseHandOvers(ISiloBuilder silo) => silo.AddIncomingGrainCallFilter(context =>
        context.TargetId.Type.ToString() == "audit" && context.InterfaceMethod.Name == nameof(IJournalFollower.FollowAsync) && Doomed.ContainsKey(context.TargetId.Key.ToString()!)
            ? throw new InvalidOperationException("The process died here.")
            : context.Invoke());

    [Theory]
    [InlineData(TestDatabase.Sqlite)]
    [InlineData(TestDatabase.Postgres)]
    public async Task A_cancellation_whose_hand_over_died_with_its_process_is_audited_and_promises_its_mail_once_after_the_next_start_untouched(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var slug = $"event-{Guid.NewGuid():N}";
        var start = DateTimeOffset.UtcNow.AddDays(30);
        var agenda = new JournalKey("agenda", slug);

        var first = await db.StartClusterAsync(new ClusterSetup { Silo = LoseHandOvers });
        await first.GetGrain<IAgendaGrain>(slug).CreateAsync(Organiser, new EventDetails(
            "Pitch day", "", "Africa/Kampala", start, start.AddHours(8), ["en", "fr"], EventVisibility.Listed, null));
        Doomed[slug] = true;
        await Assert.ThrowsAnyAsync<Exception>(() => first.GetGrain<IAgendaGrain>(slug).CancelAsync(Organiser, "The venue is flooded."));

        // Committed, not handed over, and the process is gone (no deactivation runs).
        Assert.Equal(EventStatus.Cancelled, (await first.GetGrain<IAgendaGrain>(slug).GetAsync())!.Status);
        Assert.Single(await first.GetGrain<IAuditTrailGrain>(slug).ListAsync(100));
        await first.Cluster.KillSiloAsync(first.Cluster.Silos[0], Ct);
        await first.DisposeAsync();
        Doomed.TryRemove(slug, out _);

        await using var second = await db.StartClusterAsync();
        var trail = second.GetGrain<IAuditTrailGrain>(slug);
        await Eventually.UntilAsync(
            "two audit entries and no hand-over left",
            async () => (Entries: (await trail.ListAsync(100)).Count, HandOvers: (await db.Store.ListHandOversAsync(Ct)).Count),
            seen => seen.Entries >= 2 && seen.HandOvers == 0);

        var entries = await trail.ListAsync(100);
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal("agenda", e.Source));
        Assert.Equal("event-cancelled", entries[0].What?.Kind);
        Assert.Single(await second.GetGrain<IMailOutboxGrain>(slug).PendingAsync(), p => p.Source == agenda);
        // Nothing is left for a later start to hand over again.
        Assert.Empty(await db.Store.ListHandOversAsync(Ct));
    }
}
