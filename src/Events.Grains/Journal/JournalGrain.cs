using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Concurrency;
using Orleans.EventSourcing;
using Orleans.EventSourcing.CustomStorage;
using Orleans.Providers;

namespace Events.Grains.Journal;

// An Orleans JournaledGrain whose log is our append-only journal table (Orleans' CustomStorage
// log-consistency provider), with group commit for hot grains (a popular Q&A board).
//
// Calls run one at a time through their method body (a turn), each deciding on the state that
// includes every event accepted before it, durable or not yet. What a call raises is kept aside
// while it runs and, when it returns, joins the next write. While one write is in flight, the
// calls that follow are decided and queue their events for the next one, so a storm of votes
// costs one transaction per batch instead of one per vote. The grain is [Reentrant] only so that
// calls can enter while a write is awaited; the turn keeps method bodies from interleaving.
//
// A write is conditional: if another writer appended first, nothing is written, the state is
// re-read, and every call of that batch and of the batch queued behind it (decided on top of it)
// is refused with JournalConflictException, never re-applied blindly. A call that throws leaves
// nothing behind. Every call, including one that only reads, answers only once the events it saw
// are durable, so nobody is shown a change that could still be lost. Committed events are
// published and handed to followers batch by batch, in journal order, before the callers hear.
[Reentrant]
[LogConsistencyProvider(ProviderName = JournalStorage.ProviderName)]
public abstract class JournalGrain<TState, TEvent> : JournaledGrain<Folded<TState, TEvent>, TEvent>,
    ICustomStorageInterface<Folded<TState, TEvent>, TEvent>, IIncomingGrainCallFilter, IJournalSource
    where TState : class, IJournaledState<TState, TEvent>
    where TEvent : class
{
    private readonly PendingChanges<TState, TEvent> _pending = new();
    private readonly SemaphoreSlim _turn = new(1, 1);
    private JournalServices? _services;
    private DateTimeOffset _lastRecordedAt;

    // Since this activation's last snapshot: the journal bytes written, and the snapshot's size.
    private long _eventBytesSinceSnapshot;
    private long _lastSnapshotBytes;

    // Accepted events not yet durable: the batch being written and the one queued behind it.
    private CommitBatch<TEvent> _next = new();
    private CommitBatch<TEvent>? _writing;

    // The state and version every call decides on: durable state plus every accepted event, kept
    // here and moved on only by this class. Orleans' confirmed version moves on inside its adaptor
    // when a write is confirmed, and other calls can run before the writer hears of it, so adding a
    // count of our own to it would, in that window, count a batch twice (two questions got one id).
    // Null until the first call of an activation and after a failed write: then nothing is in
    // flight and the adaptor has read the journal again, so its confirmed view is the truth.
    private TState? _accepted;
    private long _acceptedVersion;

    // Moves on whenever accepted events are dropped by a failed write, so a call still running
    // when that happened (awaiting inside its method) cannot commit a decision taken on them.
    private int _epoch;

    // The followers this activation has handed its commits to (by their place in Followers); one
    // whose hand-over failed is asked again how far it got at the next commit.
    private readonly HashSet<int> _handedOver = [];

    // This activation's hand-over row (migration 0004): written before its first append, removed
    // when it ends with every follower served. _since is where the row says commits may be unhanded.
    private readonly string _token = Guid.NewGuid().ToString("N");
    private bool _marked;
    private long? _since;

    // The state as this call sees it: durable state, then accepted events, then its own.
    protected new TState State => _pending.Over(Accepted);

    // The sequence number of the last event folded into State.
    protected new long Version => AcceptedVersion + _pending.Count;

    protected string Key => this.GetPrimaryKeyString();

    protected JournalKey Journal => new(this.GetGrainId().Type.ToString()!, Key);

    private TState Accepted => _accepted ?? ReadAccepted().State;

    private long AcceptedVersion => _accepted is null ? ReadAccepted().Version : _acceptedVersion;

    private JournalServices Services => _services ??= ServiceProvider.GetRequiredService<JournalServices>();

    protected override void RaiseEvent<TRaised>(TRaised @event) => _pending.Raise(Accepted, @event);

    protected override void RaiseEvents<TRaised>(IEnumerable<TRaised> events)
    {
        foreach (var @event in events)
        {
            RaiseEvent(@event);
        }
    }

    // Orleans' own conditional raise would bypass the per-call batch; grains raise with RaiseEvent.
    protected override Task<bool> RaiseConditionalEvent<TRaised>(TRaised @event) =>
        throw new NotSupportedException("Raise with RaiseEvent: the call's events are appended conditionally when it returns.");

    protected override Task<bool> RaiseConditionalEvents<TRaised>(IEnumerable<TRaised> events) =>
        throw new NotSupportedException("Raise with RaiseEvent: the call's events are appended conditionally when it returns.");

    async Task IIncomingGrainCallFilter.Invoke(IIncomingGrainCallContext context)
    {
        await _turn.WaitAsync();
        // What this call may see beyond durable state becomes durable when the last batch does.
        var seen = (_next.Count > 0 ? _next : _writing)?.Durable ?? Task.CompletedTask;
        CommitBatch<TEvent>? joined = null;
        var epoch = _epoch;
        try
        {
            if (await _pending.RunAsync(context) is { } changes)
            {
                if (epoch != _epoch)
                {
                    throw new JournalConflictException(Journal, AcceptedVersion + 1);
                }

                joined = _next;
                joined.Add(AcceptedVersion, changes.Events);
                _accepted = changes.State;
                _acceptedVersion += changes.Events.Length;
                if (_writing is null)
                {
                    _ = WriteBatchesAsync();
                }
            }
        }
        catch
        {
            _turn.Release();
            // A refusal is an answer too: it waits for what it was decided on (and stands if that fails).
            try
            {
                await seen;
            }
            catch (Exception) when (seen.IsFaulted)
            {
            }

            throw;
        }

        _turn.Release();
        await (joined?.Durable ?? seen);
    }

    // Writes queued batches one after another until none is left; runs on the grain's scheduler,
    // interleaved with calls being decided.
    private async Task WriteBatchesAsync()
    {
        while (_next.Count > 0)
        {
            var batch = _writing = _next;
            _next = new CommitBatch<TEvent>();
            Exception? failure = null;
            try
            {
                if (Followers.Count > 0 && !_marked)
                {
                    _since = Math.Min(_since ?? long.MaxValue, await Services.Store.MarkHandOverAsync(Journal, base.Version, _token, CancellationToken.None));
                    _marked = true;
                }

                // Orleans appends the batch right after its confirmed version or not at all; the
                // batch's decisions (ids taken from Version) assumed it follows batch.After.
                if (base.Version != batch.After || !await base.RaiseConditionalEvents(batch.Events))
                {
                    failure = new JournalConflictException(Journal, batch.After + 1);
                }
            }
            catch (Exception ex)
            {
                failure = ex;
            }

            if (failure is not null)
            {
                // Everything accepted after this batch was decided on top of it: refused as well.
                // A refused append has re-read the journal: the next call decides on what it holds.
                var behind = _next;
                _next = new CommitBatch<TEvent>();
                _epoch++;
                _accepted = null;
                _writing = null;
                batch.Fail(failure);
                behind.Fail(failure);
                return;
            }

            try
            {
                await PublishAsync(batch.After + 1, batch.Events);
                batch.Succeed();
            }
            catch (Exception ex)
            {
                // Durable, but a follower did not take it: the callers hear of the failure, as before.
                batch.Fail(ex);
            }
        }

        _writing = null;
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken);
        // Orleans has read the journal: whatever was looked at before that is not what calls decide on.
        _accepted = null;
    }

    // Only while nothing is in flight (see _accepted).
    private (TState State, long Version) ReadAccepted()
    {
        _accepted = base.State.Value;
        _acceptedVersion = base.Version;
        return (_accepted, _acceptedVersion);
    }

    private async Task PublishAsync(long first, IReadOnlyList<TEvent> raised)
    {
        var recordedAt = _lastRecordedAt;
        var committed = new GrainEvent[raised.Count];
        for (var i = 0; i < raised.Count; i++)
        {
            committed[i] = new GrainEvent(Journal, first + i, raised[i], recordedAt);
        }

        Services.Publish(committed);
        await HandOverAsync(Followers, committed);
    }

    async Task IJournalSource.CatchUpFollowersAsync(long since, string token)
    {
        _since = Math.Min(_since ?? long.MaxValue, since);
        _handedOver.Clear();
        await HandOverAsync(Followers, []);

        // An activation that wrote the row itself removes it when it ends.
        if (!_marked)
        {
            await Services.Store.ClearHandOverAsync(Journal, token, CancellationToken.None);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_marked && _handedOver.Count == Followers.Count)
        {
            try
            {
                await Services.Store.ClearHandOverAsync(Journal, _token, cancellationToken);
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or OperationCanceledException)
            {
                // The row stays: the next start asks the followers again and finds nothing to hand over.
            }
        }

        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    private async Task HandOverAsync(IReadOnlyList<Follower> followers, GrainEvent[] committed)
    {
        for (var i = 0; i < followers.Count; i++)
        {
            try
            {
                await HandOverAsync(i, followers[i], committed);
            }
            catch
            {
                var failed = i;
                _handedOver.RemoveWhere(index => index >= failed);
                throw;
            }
        }
    }

    // The grains that take some of this grain's committed events before its caller hears of the
    // call (see IJournalFollower): the standing ones (its event's audit trail when any of its
    // events is audited), then the grain's own.
    protected virtual IReadOnlyList<Follower> Followers => Services.StandingFollowers(typeof(TEvent));

    // A follower that cannot tell how far it got (null) is handed what came after the hand-over row's
    // since sequence: commits before it reached every follower before the row was written.
    private async Task HandOverAsync(int index, Follower follower, GrainEvent[] committed)
    {
        var target = follower.Find(GrainFactory, Journal);
        IReadOnlyList<GrainEvent> events = committed;
        var gap = false;
        var before = committed.Length > 0 ? committed[0].Sequence - 1 : base.Version;
        if (!_handedOver.Contains(index) && (await target.FollowedUpToAsync(Journal) ?? _since) is { } from && from < before)
        {
            events = await new JournalReader(Services.Store).ReadEventsAsync(Journal, from, int.MaxValue);
            gap = true;
        }

        ImmutableArray<GrainEvent> taken = [.. events.Where(e => follower.Takes(e.Event))];
        if (taken.Length > 0 || gap)
        {
            await target.FollowAsync(Journal, base.Version, taken);
        }

        _handedOver.Add(index);
    }

    async Task<KeyValuePair<int, Folded<TState, TEvent>>> ICustomStorageInterface<Folded<TState, TEvent>, TEvent>.ReadStateFromStorage()
    {
        var (state, version) = await JournalFold.ReadAsync<TState, TEvent>(Services.Store, Journal);
        return new(checked((int)version), new Folded<TState, TEvent> { Value = state });
    }

    async Task<bool> ICustomStorageInterface<Folded<TState, TEvent>, TEvent>.ApplyUpdatesToStorage(IReadOnlyList<TEvent> updates, int expectedVersion)
    {
        if (updates.Count == 0)
        {
            return true;
        }

        var services = Services;
        var recordedAt = services.Clock.GetUtcNow();
        var stored = new StoredEvent[updates.Count];
        long eventBytes = 0;
        for (var i = 0; i < updates.Count; i++)
        {
            stored[i] = new StoredEvent(expectedVersion + i + 1, JsonSerializer.Serialize(updates[i], GrainJson.Options), recordedAt);
            eventBytes += stored[i].Payload.Length;
        }

        // The state after the batch is folded here only for a snapshot (Orleans folds its own copy
        // once the write is confirmed). A large state (a busy Q&A board's voters) is snapshotted
        // only once the journal has grown by half its size since the last one: every 50 votes it
        // wrote ~16× more snapshot than journal, and the batch carrying it was the slow one.
        long newVersion = expectedVersion + updates.Count;
        var options = services.Options;
        var interval = options.SnapshotInterval;
        var snapshot = interval > 0 && newVersion / interval > expectedVersion / interval
            && (_lastSnapshotBytes < options.SnapshotSizeFloorBytes || _eventBytesSinceSnapshot + eventBytes >= _lastSnapshotBytes / 2)
            ? new StoredSnapshot(newVersion, SnapshotShape.Write<TState, TEvent>(updates.Aggregate(base.State.Value, (state, update) => state.Apply(update))))
            : null;

        try
        {
            await services.Store.AppendAsync(Journal, stored, snapshot, CancellationToken.None);
        }
        catch (JournalConflictException)
        {
            return false;
        }

        _lastRecordedAt = recordedAt;
        _eventBytesSinceSnapshot = snapshot is null ? _eventBytesSinceSnapshot + eventBytes : 0;
        _lastSnapshotBytes = snapshot?.Payload.Length ?? _lastSnapshotBytes;
        return true;
    }

    protected override void TransitionState(Folded<TState, TEvent> state, TEvent @event) => state.Value = state.Value.Apply(@event);
}

// The events of the calls that join one write, the version they were decided after, and the
// moment they are durable (or refused).
internal sealed class CommitBatch<TEvent>
{
    private readonly List<TEvent> _events = [];
    private readonly TaskCompletionSource _durable = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Count => _events.Count;

    public long After { get; private set; }

    public IReadOnlyList<TEvent> Events => _events;

    public Task Durable => _durable.Task;

    public void Add(long decidedAfter, IReadOnlyList<TEvent> events)
    {
        if (_events.Count == 0)
        {
            After = decidedAfter;
        }
        else if (decidedAfter != After + _events.Count)
        {
            throw new InvalidOperationException($"Events decided after version {decidedAfter} cannot follow {After + _events.Count}.");
        }

        _events.AddRange(events);
    }

    public void Succeed() => _durable.TrySetResult();

    public void Fail(Exception failure) => _durable.TrySetException(failure);
}
