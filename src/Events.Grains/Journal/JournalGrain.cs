using System.Collections.Immutable;
using System.Text.Json;
using Events.Grains.Audit;
using Events.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.EventSourcing;
using Orleans.EventSourcing.CustomStorage;
using Orleans.Providers;

namespace Events.Grains.Journal;

// An Orleans JournaledGrain whose log is our append-only journal table (Orleans' CustomStorage
// log-consistency provider). What a call raises is kept aside while the call runs and appended
// when it returns, in one transaction, with the conditional form: if another writer appended
// first, nothing is written and the call is refused (JournalConflictException) on refreshed state,
// never re-applied blindly. A call that throws leaves state and journal as they were. Only after
// the append is durable does the caller get its answer and the events get published.
[LogConsistencyProvider(ProviderName = JournalStorage.ProviderName)]
public abstract class JournalGrain<TState, TEvent> : JournaledGrain<Folded<TState, TEvent>, TEvent>,
    ICustomStorageInterface<Folded<TState, TEvent>, TEvent>, IIncomingGrainCallFilter, IJournalSource
    where TState : class, IJournaledState<TState, TEvent>
    where TEvent : class
{
    private static readonly Follower[] AuditOnly = AuditTrail.Audits(typeof(TEvent)) ? [AuditTrail.Follower] : [];

    private readonly PendingChanges<TState, TEvent> _pending = new();
    private JournalServices? _services;
    private DateTimeOffset _lastRecordedAt;

    // The followers this activation has handed its commits to (by their place in Followers); one
    // whose hand-over failed is asked again how far it got at the next commit.
    private readonly HashSet<int> _handedOver = [];

    // This activation's hand-over row (migration 0004): written before its first append, removed
    // when it ends with every follower served. _since is where the row says commits may be unhanded.
    private readonly string _token = Guid.NewGuid().ToString("N");
    private bool _marked;
    private long? _since;

    // The state as this call sees it, including what it raised and has not appended yet.
    protected new TState State => _pending.Over(base.State.Value);

    // The sequence number of the last event folded into State.
    protected new long Version => base.Version + _pending.Count;

    protected string Key => this.GetPrimaryKeyString();

    protected JournalKey Journal => new(this.GetGrainId().Type.ToString()!, Key);

    private JournalServices Services => _services ??= ServiceProvider.GetRequiredService<JournalServices>();

    protected override void RaiseEvent<TRaised>(TRaised @event) => _pending.Raise(base.State.Value, @event);

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
        if (await _pending.RunAsync(context) is not { } changes)
        {
            return;
        }

        var raised = changes.Events;
        var followers = Followers;
        if (followers.Count > 0 && !_marked)
        {
            _since = Math.Min(_since ?? long.MaxValue, await Services.Store.MarkHandOverAsync(Journal, base.Version, _token, CancellationToken.None));
            _marked = true;
        }

        // Taken before the append: a refused append re-reads the journal, which moves Version on.
        var attempted = base.Version + 1;
        if (!await base.RaiseConditionalEvents(raised))
        {
            throw new JournalConflictException(Journal, attempted);
        }

        var first = base.Version - raised.Length + 1;
        var recordedAt = _lastRecordedAt;
        var committed = new GrainEvent[raised.Length];
        for (var i = 0; i < raised.Length; i++)
        {
            committed[i] = new GrainEvent(Journal, first + i, raised[i], recordedAt);
        }

        Services.Publish(committed);
        await HandOverAsync(followers, committed);
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
    // call (see IJournalFollower): its event's audit trail when any of its events is audited.
    protected virtual IReadOnlyList<Follower> Followers => AuditOnly;

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
        var state = base.State.Value;
        for (var i = 0; i < updates.Count; i++)
        {
            stored[i] = new StoredEvent(expectedVersion + i + 1, JsonSerializer.Serialize(updates[i], GrainJson.Options), recordedAt);
            state = state.Apply(updates[i]);
        }

        long newVersion = expectedVersion + updates.Count;
        var interval = services.Options.SnapshotInterval;
        var snapshot = interval > 0 && newVersion / interval > expectedVersion / interval
            ? new StoredSnapshot(newVersion, SnapshotShape.Write<TState, TEvent>(state))
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
        return true;
    }

    protected override void TransitionState(Folded<TState, TEvent> state, TEvent @event) => state.Value = state.Value.Apply(@event);
}
