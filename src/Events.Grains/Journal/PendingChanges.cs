namespace Events.Grains.Journal;

// What one grain call raised, kept aside until the call returns: the state the call sees and the
// events to store. A call that throws leaves nothing behind. Journaled and state grains share it.
internal sealed class PendingChanges<TState, TEvent>
    where TState : class, IJournaledState<TState, TEvent>
    where TEvent : class
{
    private readonly List<TEvent> _events = [];
    private TState? _working;

    public int Count => _events.Count;

    public TState Over(TState stored) => _working ?? stored;

    public void Raise(TState stored, TEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        _working = Over(stored).Apply(@event);
        _events.Add(@event);
    }

    // Runs the call; returns what it raised and the state after it, or null when it raised nothing.
    public async Task<(TEvent[] Events, TState State)?> RunAsync(IIncomingGrainCallContext context)
    {
        Discard();
        try
        {
            await context.Invoke();
        }
        catch
        {
            Discard();
            throw;
        }

        if (_events.Count == 0)
        {
            return null;
        }

        var raised = (_events.ToArray(), _working!);
        Discard();
        return raised;
    }

    private void Discard()
    {
        _events.Clear();
        _working = null;
    }
}
