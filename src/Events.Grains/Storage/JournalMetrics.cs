using System.Diagnostics.Metrics;

namespace Events.Grains.Storage;

// What the journal's writes cost, as .NET metrics (meter "Events.Journal"): dotnet-counters shows
// them on a running server, and bench/ reads them to print events per write, statements and round
// trips per write and snapshot bytes per event. Counting is a few interlocked adds per write.
public static class JournalMetrics
{
    public const string MeterName = "Events.Journal";

    private static readonly Meter Meter = new(MeterName);

    // One per append (a group commit's batch): its events, the SQL statements it ran and the
    // database round trips they took (PostgreSQL: one; SQLite: a local file, no trips at all but
    // one statement each for begin, inserts, snapshot and commit).
    public static readonly Counter<long> Writes = Meter.CreateCounter<long>("events.journal.writes", "{write}");
    public static readonly Counter<long> Events = Meter.CreateCounter<long>("events.journal.events", "{event}");
    public static readonly Counter<long> Statements = Meter.CreateCounter<long>("events.journal.statements", "{statement}");
    public static readonly Counter<long> RoundTrips = Meter.CreateCounter<long>("events.journal.round_trips", "{round trip}");
    public static readonly Counter<long> Snapshots = Meter.CreateCounter<long>("events.journal.snapshots", "{snapshot}");
    public static readonly Counter<long> SnapshotBytes = Meter.CreateCounter<long>("events.journal.snapshot_bytes", "By");

    // From asking for a connection to the write's commit: whether a slow second of acknowledgements
    // was the database or the queue in front of it.
    public static readonly Histogram<long> WriteMicroseconds = Meter.CreateHistogram<long>("events.journal.write_duration", "us");
}
