using Events.Grains.Scheduling;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Grains.Tests.Scheduling;

public sealed class SchedulingGrainTests
{
    private static ClusterSetup Setup(int silos, TimeSpan limit) => new()
    {
        Silos = silos,
        Silo = silo => silo.Services.Configure<SchedulingOptions>(o => o.TimeLimit = limit),
    };

    // Polls (no fixed sleep) until the run is no longer running.
    private static async Task<SchedulingRun> FinishedAsync(ISchedulingGrain grain) =>
        (await Eventually.UntilAsync("the run to finish", async () => (await grain.GetAsync()).Run, run => run is { Status: not RunStatus.Running }, TimeSpan.FromMinutes(2)))!;

    [Fact]
    public async Task Two_organisers_pressing_schedule_all_at_once_through_two_silos_start_one_run_and_the_other_is_told_it_is_running()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var cluster = await db.StartClusterAsync(Setup(2, TimeSpan.FromSeconds(2)));
        var slug = $"event-{Guid.NewGuid():N}";
        var problem = SchedulingInstances.Generate(31);

        var results = await Task.WhenAll(
            cluster.Silo(0).GetGrain<ISchedulingGrain>(slug).ScheduleAllAsync("ana@example.org", problem),
            cluster.Silo(1).GetGrain<ISchedulingGrain>(slug).ScheduleAllAsync("bo@example.org", problem));

        Assert.Single(results, r => r.Started);
        var refused = Assert.Single(results, r => !r.Started);
        Assert.Equal(RunStatus.Running, refused.Run.Status);
        Assert.Equal(results.Single(r => r.Started).Run.Id, refused.Run.Id);

        var run = await FinishedAsync(cluster.GetGrain<ISchedulingGrain>(slug));
        Assert.Equal(RunStatus.Done, run.Status);
        ScheduleChecker.AssertValid(problem, run.Schedule!);
        Assert.True(run.Schedule!.Scheduled.Length > 0);
    }

    [Fact]
    public async Task A_run_the_silo_stopped_during_is_started_again_by_the_next_silo_and_finishes()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var slug = $"event-{Guid.NewGuid():N}";
        var problem = SchedulingInstances.Generate(32);
        var first = await db.StartClusterAsync(Setup(1, TimeSpan.FromMinutes(5)));
        var started = await first.GetGrain<ISchedulingGrain>(slug).ScheduleAllAsync("ana@example.org", problem);
        Assert.True(started.Started);
        await first.DisposeAsync();

        var second = await db.StartClusterAsync(Setup(1, TimeSpan.FromSeconds(2)));
        var grain = second.GetGrain<ISchedulingGrain>(slug);
        var status = await grain.GetAsync();

        Assert.Equal(RunStatus.Running, status.Run!.Status);
        Assert.Equal(2, status.Run.Attempt);
        var run = await FinishedAsync(grain);
        Assert.Equal(RunStatus.Done, run.Status);
        Assert.Equal(started.Run.Id, run.Id);
        ScheduleChecker.AssertValid(problem, run.Schedule!);
    }
}
