namespace Events.Grains.Runtime;

public sealed class GrainRuntimeOptions
{
    public const string Section = "Grains";

    // An activation with no call for this long is dropped from memory; the next call reloads it.
    public TimeSpan IdleDeactivation { get; set; } = TimeSpan.FromMinutes(10);

    // A snapshot of the state is written every this many events; 0 turns snapshots off.
    public int SnapshotInterval { get; set; } = 50;

    // How often one call is re-run after finding its sequence number taken by another writer.
    public int MaxCommitAttempts { get; set; } = 20;
}
