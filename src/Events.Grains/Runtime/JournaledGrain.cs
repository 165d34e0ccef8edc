using Events.Grains.Storage;
using System.Text.Json;

namespace Events.Grains.Runtime;

// State is an immutable value folded from events, so rolling back a failed call is just
// keeping the previous reference.
public interface IJournaledState<TState, in TEvent>
    where TState : IJournaledState<TState, TEvent>
{
    static abstract TState Initial { get; }

    TState Apply(TEvent @event);
}

// The runtime drives a journaled grain through these steps around every call.
internal interface IJournaledGrain
{
    Task LoadAsync(CancellationToken cancellationToken);

    void BeginCall();

    void Rollback();

    // Appends what the call raised; throws JournalConflictException when another writer got there first.
    Task<IReadOnlyList<GrainEvent>> CommitAsync(CancellationToken cancellationToken);

    Task CatchUpAsync(CancellationToken cancellationToken);

    Type EventType { get; }
}

public abstract class JournaledGrain<TState, TEvent> : Grain, IJournaledGrain
    where TState : class, IJournaledState<TState, TEvent>
    where TEvent : class
{
    private readonly List<TEvent> _pending = [];
    private TState _confirmed = TState.Initial;
    private long _confirmedVersion;
    private TState _state = TState.Initial;

    // The state as this call sees it, including events it raised and has not committed yet.
    protected TState State => _state;

    // The sequence number of the last event folded into State.
    protected long Version => _confirmedVersion + _pending.Count;

    protected void RaiseEvent(TEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        _state = _state.Apply(@event);
        _pending.Add(@event);
    }

    internal override async Task ActivateAsync(CancellationToken cancellationToken)
    {
        await ((IJournaledGrain)this).LoadAsync(cancellationToken);
        await base.ActivateAsync(cancellationToken);
    }

    Type IJournaledGrain.EventType => typeof(TEvent);

    async Task IJournaledGrain.LoadAsync(CancellationToken cancellationToken)
    {
        var store = Context.Runtime.Store;
        var snapshot = await store.ReadSnapshotAsync(Id, cancellationToken);
        _confirmed = snapshot is null ? TState.Initial : Deserialize<TState>(snapshot.Payload);
        _confirmedVersion = snapshot?.Sequence ?? 0;
        await FoldTailAsync(cancellationToken);
    }

    void IJournaledGrain.BeginCall()
    {
        _pending.Clear();
        _state = _confirmed;
    }

    void IJournaledGrain.Rollback()
    {
        _pending.Clear();
        _state = _confirmed;
    }

    async Task<IReadOnlyList<GrainEvent>> IJournaledGrain.CommitAsync(CancellationToken cancellationToken)
    {
        if (_pending.Count == 0)
        {
            return [];
        }

        var runtime = Context.Runtime;
        var recordedAt = runtime.Clock.GetUtcNow();
        var stored = new StoredEvent[_pending.Count];
        var published = new GrainEvent[_pending.Count];
        for (var i = 0; i < _pending.Count; i++)
        {
            var sequence = _confirmedVersion + i + 1;
            stored[i] = new StoredEvent(sequence, JsonSerializer.Serialize(_pending[i], runtime.Json), recordedAt);
            published[i] = new GrainEvent(Id, sequence, _pending[i], recordedAt);
        }

        var newVersion = _confirmedVersion + _pending.Count;
        var interval = runtime.Options.SnapshotInterval;
        var snapshot = interval > 0 && newVersion / interval > _confirmedVersion / interval
            ? new StoredSnapshot(newVersion, JsonSerializer.Serialize(_state, runtime.Json))
            : null;

        await runtime.Store.AppendAsync(Id, stored, snapshot, cancellationToken);

        _confirmed = _state;
        _confirmedVersion = newVersion;
        _pending.Clear();
        return published;
    }

    Task IJournaledGrain.CatchUpAsync(CancellationToken cancellationToken) => FoldTailAsync(cancellationToken);

    private async Task FoldTailAsync(CancellationToken cancellationToken)
    {
        var store = Context.Runtime.Store;
        while (true)
        {
            var batch = await store.ReadEventsAsync(Id, _confirmedVersion, JournalPage.Size, cancellationToken);
            foreach (var stored in batch)
            {
                _confirmed = _confirmed.Apply(Deserialize<TEvent>(stored.Payload));
                _confirmedVersion = stored.Sequence;
            }

            if (batch.Count < JournalPage.Size)
            {
                break;
            }
        }

        _state = _confirmed;
    }

    private T Deserialize<T>(string payload) =>
        JsonSerializer.Deserialize<T>(payload, Context.Runtime.Json)
        ?? throw new InvalidDataException($"Grain {Id} has an empty entry in its journal.");
}

internal static class JournalPage
{
    public const int Size = 500;
}
