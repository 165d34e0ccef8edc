using System.Globalization;

namespace Events.Bench;

// Quick by default (a few minutes); --full for the sizes; --only connections,pages,votes
// for some of it (start-up is always measured).
public sealed record BenchOptions(
    string ServerDll,
    string BareDll,
    int[] Sizes,
    int Repeats,
    int Broadcasts,
    double IdleSeconds,
    double PageSeconds,
    int Voters,
    int Tabs,
    double VoteSeconds,
    double VoteWarmupSeconds,
    double? VoteRate,
    IReadOnlySet<string> VoteStorages,
    string? Postgres,
    IReadOnlySet<string> Parts)
{
    // What --only may name (all by default).
    public static readonly string[] AllParts = ["connections", "pages", "votes"];

    public bool Runs(string part) => Parts.Contains(part);

    public static BenchOptions Parse(string[] args)
    {
        var full = args.Contains("--full");
        string? Text(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        double Number(string name, double quick, double complete) =>
            Text(name) is { } value ? double.Parse(value, CultureInfo.InvariantCulture) : full ? complete : quick;
        return new BenchOptions(
            Text("--server") ?? throw new ArgumentException("--server <published Events.Silo.dll> is required (bench/run.sh passes it)."),
            Text("--bare") ?? throw new ArgumentException("--bare <published Events.Bench.BareHub.dll> is required (bench/run.sh passes it)."),
            Text("--sizes") is { } sizes
                ? [.. sizes.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))]
                : full ? [1_000, 5_000, 10_000, 20_000] : [1_000, 5_000],
            (int)Number("--repeats", 2, 3),
            (int)Number("--broadcasts", 5, 10),
            Number("--idle-seconds", 5, 10),
            Number("--page-seconds", 5, 10),
            (int)Number("--voters", 300, 1_000),
            (int)Number("--tabs", 2, 2),
            Number("--vote-seconds", 10, 20),
            Number("--vote-warmup", 3, 5),
            Text("--vote-rate") is { } rate ? double.Parse(rate, CultureInfo.InvariantCulture) : null,
            (Text("--vote-storages")?.Split(',') ?? ["sqlite", "postgres"]).ToHashSet(StringComparer.Ordinal),
            Text("--postgres"),
            (Text("--only")?.Split(',') ?? AllParts).ToHashSet(StringComparer.Ordinal));
    }
}
