using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Events.Grains;
using Events.Grains.Questions;
using Events.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// The cost of one vote write: a question board grain on a silo of its own, over a fresh SQLite
// file (or, with --postgres "<connection string>", a fresh schema there), each vote by a new voter
// so that every call appends one event. Prints figures; asserts nothing.
//   dotnet run -c Release --project bench/Events.Benchmarks -- [--votes 2000] [--concurrency 20] [--postgres "..."]
var votes = Option("--votes", 2000);
var concurrency = Option("--concurrency", 20);
var postgres = OptionText("--postgres");

var folder = Path.Combine(Path.GetTempPath(), "events-bench", Guid.NewGuid().ToString("N"));
string? schema = null;
var storage = new StorageOptions { Provider = StorageProvider.Sqlite, DataFolder = folder };
if (postgres is not null)
{
    schema = "bench_" + Guid.NewGuid().ToString("N");
    await using var admin = new Npgsql.NpgsqlConnection(postgres);
    await admin.OpenAsync();
    await new Npgsql.NpgsqlCommand($"CREATE SCHEMA {schema}", admin).ExecuteNonQueryAsync();
    storage = new StorageOptions
    {
        Provider = StorageProvider.PostgreSql,
        ConnectionString = new Npgsql.NpgsqlConnectionStringBuilder(postgres) { SearchPath = schema }.ConnectionString,
    };
}

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.Configure<StorageOptions>(o =>
{
    o.Provider = storage.Provider;
    o.DataFolder = storage.DataFolder;
    o.ConnectionString = storage.ConnectionString;
});
builder.UseOrleans(silo => silo.UseLocalhostClustering(FreePort(), FreePort()).AddEventGrains());
using var host = builder.Build();
await host.Services.GetRequiredService<SchemaMigrator>().MigrateAsync(CancellationToken.None);
await host.StartAsync();

var grains = host.Services.GetRequiredService<IGrainFactory>();
var board = grains.GetGrain<IQuestionBoardGrain>("bench/s1");
var question = await board.AskAsync(new Asker("asker@bench.example.org", "Asker"), "How much does a vote cost?", false, "bench-question");
var voter = 0;
for (var i = 0; i < 50; i++)
{
    await board.VoteAsync($"warm{Interlocked.Increment(ref voter)}@bench.example.org", question.Id, true);
}

Console.WriteLine($"Storage: {(postgres is null ? "SQLite" : "PostgreSQL")}, {Environment.ProcessorCount} cores");

var latencies = new double[votes];
var clock = Stopwatch.StartNew();
for (var i = 0; i < votes; i++)
{
    var started = Stopwatch.GetTimestamp();
    await board.VoteAsync($"seq{i}@bench.example.org", question.Id, true);
    latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}

clock.Stop();
Array.Sort(latencies);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"One at a time: {votes} votes in {clock.Elapsed.TotalSeconds:F2} s = {votes / clock.Elapsed.TotalSeconds:F0} votes/s; latency p50 {latencies[votes / 2]:F2} ms, p99 {latencies[votes * 99 / 100]:F2} ms"));

var next = -1;
clock.Restart();
await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
{
    while (Interlocked.Increment(ref next) is var n && n < votes)
    {
        await board.VoteAsync($"par{n}@bench.example.org", question.Id, true);
    }
})));
clock.Stop();
var counted = (await board.GetAsync(null, true)).Questions.Single().Votes;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{concurrency} callers at once: {votes} votes in {clock.Elapsed.TotalSeconds:F2} s = {votes / clock.Elapsed.TotalSeconds:F0} votes/s; votes counted {counted} (expected {50 + 2 * votes})"));

await host.StopAsync();
if (schema is not null)
{
    await using var admin = new Npgsql.NpgsqlConnection(postgres);
    await admin.OpenAsync();
    await new Npgsql.NpgsqlCommand($"DROP SCHEMA {schema} CASCADE", admin).ExecuteNonQueryAsync();
}
else
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Directory.Delete(folder, recursive: true);
}

int Option(string name, int fallback) =>
    OptionText(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

string? OptionText(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}
