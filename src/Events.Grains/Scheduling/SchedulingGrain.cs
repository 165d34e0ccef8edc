using System.Collections.Immutable;
using System.Diagnostics;
using Events.Grains.People;
using System.Text.Json.Serialization;
using System.Globalization;
using Events.Grains.Journal;
using Events.Grains.Mail;
using Events.Grains.Matchmaking;
using Microsoft.Extensions.Options;

namespace Events.Grains.Scheduling;

public sealed class SchedulingOptions
{
    public const string Section = "Scheduling";

    // How long one "Schedule all" may search; the best schedule found by then is the answer.
    public TimeSpan TimeLimit { get; set; } = TimeSpan.FromSeconds(20);

    public int Workers { get; set; } = SchedulerOptions.DefaultWorkers;
}

// An event's "Schedule all" runs, keyed by the event's slug. One run at a time: Orleans runs this
// grain's calls one after the other, so of two organisers pressing at once one starts the run and
// the other is told it is running. The solver works on the thread pool, never inside a call; it
// reports progress and its schedule back through calls to this grain. The run is journaled with
// its problem, so when the silo that ran it stops (restart, crash), the next call to the grain
// starts it again, once, and then reports it failed: a run is never left "running".
public interface ISchedulingGrain : IGrainWithStringKey
{
    Task<SchedulingStatus> GetAsync();

    Task<ScheduleAllResult> ScheduleAllAsync(string actor, SchedulingProblem problem);

    // Pairs the organiser wants to meet; Session: "any", "morning" or "afternoon".
    Task<ImmutableArray<WantedMeeting>> WantedAsync();

    Task<WantedMeeting> AddWantedAsync(string actor, string a, string b, string session);

    Task RemoveWantedAsync(string actor, string id);

    // Books the finished run's schedule through matchmaking: what moved is re-booked, what stayed
    // is left alone. Refused (false) unless the latest run is done and not yet published.
    Task<bool> PublishAsync(string actor);

    // Where each wanted meeting stands in people's agendas, by wanted meeting id.
    Task<ImmutableDictionary<string, PublishedMeeting>> PublishedAsync();

    // From the background run.
    Task ReportAsync(string runId, int attempt, SchedulerProgress progress);

    Task CompleteAsync(string runId, int attempt, Schedule schedule);

    Task FailAsync(string runId, int attempt, string reason);
}

[GenerateSerializer]
public enum RunStatus
{
    Running,
    Done,
    Failed,
}

[GenerateSerializer, Immutable]
public sealed record SchedulingRun(
    string Id,
    string Actor,
    SchedulingProblem Problem,
    DateTimeOffset StartedAt,
    int Attempt,
    RunStatus Status,
    Schedule? Schedule,
    string? Failure);

// Run: the latest run, if any. Progress: what the running search has found so far, when known.
[GenerateSerializer, Immutable]
public sealed record SchedulingStatus(SchedulingRun? Run, SchedulerProgress? Progress);

[GenerateSerializer, Immutable]
public sealed record ScheduleAllResult(bool Started, SchedulingRun Run);

[GenerateSerializer, Immutable]
public sealed record WantedMeeting(string Id, string A, string B, string Session, string AddedBy);

[GenerateSerializer, Immutable]
public sealed record PublishedMeeting(string MeetingId, string Slot, int Table);

// Slot ids in problems made from an event's windows: the slot's UTC start, readable and sortable.
public static class SchedulingSlots
{
    private const string Format = "yyyyMMdd'T'HHmm'Z'";

    public static string Id(DateTimeOffset slot) => slot.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static DateTimeOffset Time(string id) =>
        new(DateTime.ParseExact(id, Format, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), TimeSpan.Zero);
}

// Where a wanted meeting comes from, told by its id: the organisers added it ("w…"), the two
// marked each other in the directory, or the invitee accepted a request and left the time to the
// organisers.
public enum WantedSource
{
    Organisers,
    Marks,
    Request,
}

public static class WantedIds
{
    private const string MarksPrefix = "marks-";
    private const string RequestPrefix = "request-";

    public static string ForMarks(string personA, string personB) => $"{MarksPrefix}{personA}-{personB}";

    public static string ForRequest(string requestId) => $"{RequestPrefix}{requestId}";

    public static string? RequestOf(string wantedId) =>
        wantedId.StartsWith(RequestPrefix, StringComparison.Ordinal) ? wantedId[RequestPrefix.Length..] : null;

    public static WantedSource SourceOf(string wantedId) =>
        wantedId.StartsWith(MarksPrefix, StringComparison.Ordinal) ? WantedSource.Marks
        : wantedId.StartsWith(RequestPrefix, StringComparison.Ordinal) ? WantedSource.Request
        : WantedSource.Organisers;
}

public static class SchedulingFailures
{
    // The silo stopped during the run, and again during its second attempt.
    public const string Interrupted = "interrupted";
}

// The stored names below are part of the database format: add new ones, never rename.
[JsonPolymorphic]
[JsonDerivedType(typeof(SchedulingRunStarted), "scheduling-run-started")]
[JsonDerivedType(typeof(SchedulingRunRestarted), "scheduling-run-restarted")]
[JsonDerivedType(typeof(SchedulingRunCompleted), "scheduling-run-completed")]
[JsonDerivedType(typeof(SchedulingRunFailed), "scheduling-run-failed")]
[JsonDerivedType(typeof(WantedMeetingAdded), "wanted-meeting-added")]
[JsonDerivedType(typeof(WantedMeetingRemoved), "wanted-meeting-removed")]
[JsonDerivedType(typeof(SchedulePublished), "schedule-published")]
[GenerateSerializer, Immutable]
public abstract record SchedulingEvent;

[GenerateSerializer, Immutable]
public sealed record SchedulingRunStarted(string RunId, string Actor, SchedulingProblem Problem, DateTimeOffset At) : SchedulingEvent;

[GenerateSerializer, Immutable]
public sealed record SchedulingRunRestarted(string RunId, int Attempt) : SchedulingEvent;

[GenerateSerializer, Immutable]
public sealed record SchedulingRunCompleted(string RunId, Schedule Schedule) : SchedulingEvent;

[GenerateSerializer, Immutable]
public sealed record SchedulingRunFailed(string RunId, string Reason) : SchedulingEvent;

[GenerateSerializer, Immutable]
public sealed record WantedMeetingAdded(WantedMeeting Meeting) : SchedulingEvent;

[GenerateSerializer, Immutable]
public sealed record WantedMeetingRemoved(string Id, string Actor) : SchedulingEvent;

[GenerateSerializer, Immutable]
public sealed record SchedulePublished(string RunId, string Actor, ImmutableDictionary<string, PublishedMeeting> Meetings, ImmutableArray<string> People)
    : SchedulingEvent, IPromisesMail
{
    // One mail to each person whose agenda changed.
    public bool PromisesMail => !People.IsDefaultOrEmpty;
}

[GenerateSerializer, Immutable]
public sealed record SchedulingState(SchedulingRun? Run, ImmutableArray<WantedMeeting> Wanted, ImmutableDictionary<string, PublishedMeeting> Published, string? PublishedRun) : IJournaledState<SchedulingState, SchedulingEvent>
{
    public static SchedulingState Initial { get; } = new(null, [], ImmutableDictionary<string, PublishedMeeting>.Empty, null);

    public SchedulingState Apply(SchedulingEvent @event) => @event switch
    {
        SchedulingRunStarted started => this with { Run = new SchedulingRun(started.RunId, started.Actor, started.Problem, started.At, 1, RunStatus.Running, null, null) },
        SchedulingRunRestarted restarted when Run?.Id == restarted.RunId => this with { Run = Run with { Attempt = restarted.Attempt } },
        SchedulingRunCompleted completed when Run?.Id == completed.RunId => this with { Run = Run with { Status = RunStatus.Done, Schedule = completed.Schedule } },
        SchedulingRunFailed failed when Run?.Id == failed.RunId => this with { Run = Run with { Status = RunStatus.Failed, Failure = failed.Reason } },
        WantedMeetingAdded added => this with { Wanted = Wanted.Add(added.Meeting) },
        WantedMeetingRemoved removed => this with { Wanted = Wanted.RemoveAll(w => w.Id == removed.Id) },
        SchedulePublished published => this with { Published = Published.SetItems(published.Meetings), PublishedRun = published.RunId },
        _ => this,
    };
}

[GrainType("scheduling")]
public sealed class SchedulingGrain(TimeProvider clock, IOptions<SchedulingOptions> options) : JournalGrain<SchedulingState, SchedulingEvent>, ISchedulingGrain
{
    public const int MaxAttempts = 2;

    // The attempt this activation is running, and how to stop it.
    private (string RunId, int Attempt)? _running;
    private CancellationTokenSource? _stop;
    private SchedulerProgress? _progress;

    protected override IReadOnlyList<Follower> Followers => [.. base.Followers, MailOutbox.Follower];

    public Task<SchedulingStatus> GetAsync()
    {
        Recover();
        return Task.FromResult(Status());
    }

    public Task<ScheduleAllResult> ScheduleAllAsync(string actor, SchedulingProblem problem)
    {
        Recover();
        if (State.Run is { Status: RunStatus.Running } running)
        {
            return Task.FromResult(new ScheduleAllResult(false, running));
        }

        // Refuses a problem that does not hold together before anything is stored.
        _ = new ScheduleModel(problem);
        var id = $"run{Version + 1}";
        RaiseEvent(new SchedulingRunStarted(id, actor, problem, clock.GetUtcNow()));
        Launch(State.Run!);
        return Task.FromResult(new ScheduleAllResult(true, State.Run!));
    }

    public Task<ImmutableArray<WantedMeeting>> WantedAsync() => Task.FromResult(State.Wanted);

    public Task<WantedMeeting> AddWantedAsync(string actor, string a, string b, string session)
    {
        var first = EmailAddress.Normalize(a);
        var second = EmailAddress.Normalize(b);
        if (first == second)
        {
            throw new ValidationFailedException(Problem.MeetingSelf);
        }

        var half = session is "morning" or "afternoon" ? session : ScheduleModel.Any;
        if (State.Wanted.FirstOrDefault(w => (w.A, w.B) == (first, second) || (w.A, w.B) == (second, first)) is { } existing)
        {
            return Task.FromResult(existing);
        }

        var wanted = new WantedMeeting($"w{Version + 1}", first, second, half, actor);
        RaiseEvent(new WantedMeetingAdded(wanted));
        return Task.FromResult(wanted);
    }

    public Task RemoveWantedAsync(string actor, string id)
    {
        if (State.Wanted.Any(w => w.Id == id))
        {
            RaiseEvent(new WantedMeetingRemoved(id, actor));
        }

        return Task.CompletedTask;
    }

    public Task<ImmutableDictionary<string, PublishedMeeting>> PublishedAsync() => Task.FromResult(State.Published);

    public async Task<bool> PublishAsync(string actor)
    {
        if (State.Run is not { Status: RunStatus.Done, Schedule: { } schedule } run || State.PublishedRun == run.Id)
        {
            return false;
        }

        var wanted = run.Problem.Meetings.ToDictionary(m => m.Id);
        var changed = schedule.Scheduled
            .Where(s => !State.Published.TryGetValue(s.Meeting, out var before) || (before.Slot, before.Table) != (s.Slot, s.Table))
            .ToList();
        var booked = await GrainFactory.GetGrain<IMatchmakingGrain>(Key).BookScheduledAsync(actor, [.. changed.Select(s => new ScheduledBooking(
            wanted[s.Meeting].A, wanted[s.Meeting].B, SchedulingSlots.Time(s.Slot), s.Table, State.Published.GetValueOrDefault(s.Meeting)?.MeetingId, WantedIds.RequestOf(s.Meeting)))]);
        var meetings = changed.Zip(booked).Where(p => p.Second.Length > 0)
            .ToImmutableDictionary(p => p.First.Meeting, p => new PublishedMeeting(p.Second, p.First.Slot, p.First.Table));
        var people = meetings.Keys.SelectMany(id => new[] { wanted[id].A, wanted[id].B }).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        RaiseEvent(new SchedulePublished(run.Id, actor, meetings, [.. people]));
        return true;
    }

    public Task ReportAsync(string runId, int attempt, SchedulerProgress progress)
    {
        if (_running == (runId, attempt))
        {
            _progress = progress;
        }

        return Task.CompletedTask;
    }

    public Task CompleteAsync(string runId, int attempt, Schedule schedule)
    {
        if (State.Run is { Status: RunStatus.Running } run && run.Id == runId && run.Attempt == attempt)
        {
            RaiseEvent(new SchedulingRunCompleted(runId, schedule));
            Finished();
        }

        return Task.CompletedTask;
    }

    public Task FailAsync(string runId, int attempt, string reason)
    {
        if (State.Run is { Status: RunStatus.Running } run && run.Id == runId && run.Attempt == attempt)
        {
            RaiseEvent(new SchedulingRunFailed(runId, reason));
            Finished();
        }

        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The run stops with this activation; the next one starts it again (see Recover).
        _stop?.Cancel();
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    private SchedulingStatus Status() => new(State.Run, State.Run?.Status == RunStatus.Running ? _progress : null);

    // A run the journal says is running but no activation of this grain runs: the silo running it
    // stopped. Started again once, then reported failed.
    private void Recover()
    {
        if (State.Run is not { Status: RunStatus.Running } run || _running == (run.Id, run.Attempt))
        {
            return;
        }

        if (run.Attempt >= MaxAttempts)
        {
            RaiseEvent(new SchedulingRunFailed(run.Id, SchedulingFailures.Interrupted));
            return;
        }

        RaiseEvent(new SchedulingRunRestarted(run.Id, run.Attempt + 1));
        Launch(State.Run!);
    }

    private void Finished()
    {
        _running = null;
        _progress = null;
        _stop?.Dispose();
        _stop = null;
    }

    private void Launch(SchedulingRun run)
    {
        _stop?.Cancel();
        var stop = _stop = new CancellationTokenSource();
        _running = (run.Id, run.Attempt);
        _progress = null;
        var self = this.AsReference<ISchedulingGrain>();
        var settings = new SchedulerOptions(options.Value.TimeLimit, options.Value.Workers);
        this.DelayDeactivation(settings.TimeLimit + TimeSpan.FromMinutes(1));

        // Task.Run: the search takes the thread pool, never this grain's turn; its results come
        // back as calls, which the journal records like any other.
        _ = Task.Run(async () =>
        {
            try
            {
                var reported = Stopwatch.StartNew();
                var schedule = CpSatScheduler.Solve(run.Problem, settings, progress =>
                {
                    if (reported.Elapsed >= TimeSpan.FromSeconds(1))
                    {
                        reported.Restart();
                        _ = self.ReportAsync(run.Id, run.Attempt, progress).ContinueWith(t => t.Exception, TaskScheduler.Default);
                    }
                }, stop.Token);
                if (!stop.IsCancellationRequested)
                {
                    await self.CompleteAsync(run.Id, run.Attempt, schedule);
                }
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                await self.FailAsync(run.Id, run.Attempt, e.Message);
            }
        });
    }
}
