using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Events.Grains.Journal;

// On silo start: every journal whose hand-over row a process left behind (it died between a commit
// and handing it to the followers, or before its activation ended cleanly) is woken once and hands
// its followers what they lack, so a source nobody touches again (a cancelled event) still gets its
// audit entries and mail promises. Only the rows are read, never the journal table: after a clean
// stop there are none, after a crash as many as there were active grains with followers.
public sealed class JournalCatchUp(IJournalStore store, IGrainFactory grains, ILogger<JournalCatchUp> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retry = FirstRetry;
        IReadOnlyList<PendingHandOver>? left = null;
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                left ??= await store.ListHandOversAsync(stoppingToken);
                left = await CatchUpAsync(left, attempt, stoppingToken);
                if (left.Count == 0)
                {
                    return;
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Early in start-up the database or the silo may not answer yet.
                logger.LogDebug(ex, "Could not read the journals left to hand over yet");
            }

            await Task.Delay(retry, stoppingToken);
            retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LongestRetry.Ticks));
        }
    }

    // Returns the rows whose source could not be caught up this time.
    private async Task<IReadOnlyList<PendingHandOver>> CatchUpAsync(IReadOnlyList<PendingHandOver> pending, int attempt, CancellationToken stoppingToken)
    {
        var failed = new System.Collections.Concurrent.ConcurrentBag<PendingHandOver>();
        await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = stoppingToken }, async (row, _) =>
        {
            try
            {
                await grains.GetGrain<IJournalSource>(GrainId.Create(row.Grain.Type, row.Grain.Key)).CatchUpFollowersAsync(row.SinceSequence, row.Token);
            }
            catch (Exception ex)
            {
                // The first attempts may meet a silo that does not take calls yet.
                logger.Log(attempt > 3 ? LogLevel.Warning : LogLevel.Debug, ex, "Could not hand {Grain}'s commits to its followers; trying again", row.Grain);
                failed.Add(row);
            }
        });

        return [.. failed];
    }
}
