namespace Events.Grains.Runtime;

// One grain instance in memory. The turn semaphore makes calls run one at a time, in arrival order.
internal sealed class GrainActivation(GrainId id)
{
    private int _pendingCalls;
    private long _lastUsedTicks;

    public GrainId Id { get; } = id;

    public SemaphoreSlim Turn { get; } = new(1, 1);

    // Set by activation, under the turn.
    public Grain? Instance { get; set; }

    // Set under the turn; a caller that finds it set starts over with a fresh activation.
    public bool IsDeactivated { get; set; }

    public int PendingCalls => Volatile.Read(ref _pendingCalls);

    public long LastUsedTicks => Interlocked.Read(ref _lastUsedTicks);

    public void Enter() => Interlocked.Increment(ref _pendingCalls);

    public void Exit(long nowTicks)
    {
        Interlocked.Exchange(ref _lastUsedTicks, nowTicks);
        Interlocked.Decrement(ref _pendingCalls);
    }
}
