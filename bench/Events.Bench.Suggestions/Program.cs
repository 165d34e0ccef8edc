using System.Collections.Immutable;
using System.Diagnostics;
using Events.Grains.Matchmaking;

// Computes every person's suggestions for an event of N generated profiles (default 5,000) and
// prints the time and memory it took. The profiles are generated from a fixed seed, so two runs
// score the same event. Run: dotnet run -c Release --project bench/Events.Bench.Suggestions [N]
var count = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 5_000;
string[] themes = ["Mobility", "E-tax", "Land management", "Open data", "Cleanliness", "Water", "Energy", "Health", "Education", "Markets", "Addresses", "Climate"];
var random = new Random(20261202);

NeedOffer Item(string kind, int i) =>
    new(themes[random.Next(themes.Length)], $"{kind} {i} for {themes[random.Next(themes.Length)]}", "");

var profiles = Enumerable.Range(0, count).Select(i => new DirectoryEntry(
    $"p{i:D6}",
    new ProfileDraft($"Person {i}", $"Organisation {i}", (OrgType)random.Next(5), $"City {i % 400}", $"Country {i % 40}", ["en"], "",
        [.. Enumerable.Range(0, random.Next(1, 5)).Select(_ => themes[random.Next(themes.Length)]).Distinct()],
        [.. Enumerable.Range(0, random.Next(0, 6)).Select(j => Item("Need", j))],
        [.. Enumerable.Range(0, random.Next(0, 6)).Select(j => Item("Offer", j))]),
    Hidden: false,
    Verified: false)).ToImmutableArray();

GC.Collect();
GC.WaitForPendingFinalizers();
var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
var clock = Stopwatch.StartNew();

var engine = new SuggestionEngine(profiles);
var none = new HashSet<string>();
var suggestions = 0;
var reasons = 0;
foreach (var person in profiles)
{
    var mine = engine.For(person, none);
    suggestions += mine.Length;
    reasons += mine.Sum(s => s.Reasons.Length);
}

clock.Stop();
var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
Console.WriteLine($"profiles: {count:N0}");
Console.WriteLine($"suggestions: {suggestions:N0} ({reasons:N0} reasons), for every person");
Console.WriteLine($"time: {clock.Elapsed.TotalMilliseconds:N0} ms ({clock.Elapsed.TotalMilliseconds * 1000 / count:N1} µs per person)");
Console.WriteLine($"allocated: {allocated / 1024.0 / 1024.0:N1} MiB; peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0:N1} MiB");
