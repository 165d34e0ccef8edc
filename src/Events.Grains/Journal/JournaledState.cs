namespace Events.Grains.Journal;

// State is an immutable value folded from events, so a call that throws is undone by keeping the
// previous reference.
public interface IJournaledState<TState, in TEvent>
    where TState : IJournaledState<TState, TEvent>
{
    static abstract TState Initial { get; }

    // Bump when Apply changes how events fold: snapshots written before are then ignored and the
    // state replayed from the journal (see SnapshotShape; a change of the state's type needs no bump).
    static virtual int SnapshotVersion => 1;

    TState Apply(TEvent @event);
}

// Orleans' JournaledGrain folds events into a mutable view; ours are immutable values, so the view
// is a box that holds the latest one. The values inside are [Immutable]: copying the box is cheap.
[GenerateSerializer]
public sealed class Folded<TState, TEvent>
    where TState : class, IJournaledState<TState, TEvent>
{
    [Id(0)]
    public TState Value { get; set; } = TState.Initial;
}
