using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Events.Bench;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

// The product against a bare SignalR hub of the same shape, side by side on this machine, from
// outside, over loopback. Prints a table; asserts nothing. Started by bench/run.sh (which
// publishes both servers and raises the open-file limit); see the README's performance section.
var options = BenchOptions.Parse(args);
var work = Path.Combine(Path.GetTempPath(), "events-bench", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
Directory.CreateDirectory(work);
const string Slug = "city-pilots-pitch-day";
const string Topic = "announcements:" + Slug;
const string Organiser = "organiser@example.org";
var results = new Results();
var loadBefore = File.ReadAllText("/proc/loadavg").Trim();
Console.WriteLine($"Events bench: sizes {string.Join('/', options.Sizes)}, {options.Repeats} repeats, {Environment.ProcessorCount} cores, load average {loadBefore}");
Console.WriteLine($"Work folder: {work}");

var serverArguments = new[]
{
    "--Orleans:SiloPort={silo}", "--Site:PublicUrl=http://127.0.0.1:{port}",
    "--RateLimits:SignInRequests=1000000", "--RateLimits:CodeAttempts=1000000", "--RateLimits:InvitationAccepts=1000000",
};

async Task<Server> StartProductAsync(string folder, IEnumerable<string>? extra = null) =>
    await Server.StartAsync("Events", options.ServerDll, folder, $"/events/{Slug}",
        [.. serverArguments.Select(a => a.Replace("{silo}", Server.FreePort().ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)), .. extra ?? [], $"--Storage:DataFolder={Path.Combine(folder, "data")}"]);

async Task<Server> StartBareAsync(string folder) => await Server.StartAsync("bare hub", options.BareDll, folder, "/", []);

// Start-up to first page: each repeat on an empty data folder (migrations and the demo seed included).
Server? product = null;
Server? bare = null;
for (var r = 0; r < options.Repeats; r++)
{
    if (product is not null)
    {
        await product.DisposeAsync();
    }

    if (bare is not null)
    {
        await bare.DisposeAsync();
    }

    product = await StartProductAsync(Path.Combine(work, $"events-{r}"));
    bare = await StartBareAsync(Path.Combine(work, $"bare-{r}"));
    results.Add("start-up to first page (empty data folder), ms", product.StartUp.TotalMilliseconds, bare.StartUp.TotalMilliseconds);
}

await using var events = product!;
await using var hub = bare!;
var outbox = Path.Combine(work, $"events-{options.Repeats - 1}", "data", "outbox");
using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None, MaxConnectionsPerServer = 256 }) { Timeout = TimeSpan.FromSeconds(60) };

var moderator = new WebSession(http, events.Address, outbox);
await moderator.SignInAsync(Organiser);
await using var productModerator = await RawHubClient.ConnectAsync(events.Address, "/live", moderator.CookieHeader, CancellationToken.None);
await using var bareModerator = await RawHubClient.ConnectAsync(hub.Address, "/live", null, CancellationToken.None);

await CheckRawClientAsync();

foreach (var size in options.Runs("connections") ? options.Sizes : [])
{
    for (var r = 0; r < options.Repeats; r++)
    {
        var order = r % 2 == 0 ? new[] { true, false } : [false, true];
        foreach (var isProduct in order)
        {
            await IdleAndBroadcastAsync(isProduct ? events : hub, isProduct ? productModerator : bareModerator, size, isProduct);
        }
    }
}

for (var r = 0; r < (options.Runs("pages") ? options.Repeats : 0); r++)
{
    foreach (var brotli in r % 2 == 0 ? new[] { true, false } : [false, true])
    {
        await PagesAsync(events, brotli);
    }
}

if (options.Runs("votes") && options.VoteStorages.Contains("sqlite"))
{
    await VotesAsync(events, outbox, "SQLite");
}

if (options.Runs("votes") && options.VoteStorages.Contains("postgres") && options.Postgres is { } postgres)
{
    var schema = "bench_" + Guid.NewGuid().ToString("N")[..12];
    await using (var admin = new Npgsql.NpgsqlConnection(postgres))
    {
        await admin.OpenAsync();
        await new Npgsql.NpgsqlCommand($"CREATE SCHEMA {schema}", admin).ExecuteNonQueryAsync();
    }

    try
    {
        var folder = Path.Combine(work, "events-postgres");
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(postgres) { SearchPath = schema, MaxPoolSize = 100 }.ConnectionString;
        await using var onPostgres = await StartProductAsync(folder, ["--Storage:Provider=PostgreSql", $"--Storage:ConnectionString={connection}", $"--Orleans:ServiceId={schema}", $"--Orleans:ClusterId={schema}"]);
        await VotesAsync(onPostgres, Path.Combine(folder, "data", "outbox"), "PostgreSQL");
    }
    finally
    {
        await using var admin = new Npgsql.NpgsqlConnection(postgres);
        await admin.OpenAsync();
        await new Npgsql.NpgsqlCommand($"DROP SCHEMA {schema} CASCADE", admin).ExecuteNonQueryAsync();
    }
}

Console.WriteLine();
results.Print();
Console.WriteLine();
Console.WriteLine($"Load average before: {loadBefore}; after: {File.ReadAllText("/proc/loadavg").Trim()} ({Environment.ProcessorCount} cores; the load generator runs on the same machine).");
return 0;

// The lean client must see what the official one sees: the same delta for the same announcement.
async Task CheckRawClientAsync()
{
    await using var official = new HubConnectionBuilder()
        .WithUrl(new Uri(events.Address, "/live"), HttpTransportType.WebSockets, o => o.SkipNegotiation = true)
        .Build();
    var received = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
    official.On<JsonElement>("Delta", delta => received.TrySetResult(delta));
    await official.StartAsync();
    await official.InvokeAsync<JsonElement>("Subscribe", new[] { new { topic = Topic, after = 1_000_000_000L } });
    await using var raw = await RawHubClient.ConnectAsync(events.Address, "/live", null, CancellationToken.None);
    await raw.InvokeAsync("Subscribe", new object[] { new[] { new { topic = Topic, after = 1_000_000_000L } } });
    var marker = $"check-{Guid.NewGuid():N}";
    var seen = raw.Watch(Encoding.UTF8.GetBytes(marker));
    await productModerator.InvokeAsync("PostAnnouncement", Slug, marker, 5, Guid.NewGuid().ToString("N"));
    var officialDelta = (await received.Task.WaitAsync(TimeSpan.FromSeconds(30))).GetRawText();
    await seen.WaitAsync(TimeSpan.FromSeconds(30));
    using var pushed = JsonDocument.Parse(raw.LastPush!);
    var rawDelta = pushed.RootElement.GetProperty("arguments")[0].GetRawText();
    if (rawDelta != officialDelta || pushed.RootElement.GetProperty("target").GetString() != "Delta")
    {
        throw new InvalidOperationException($"The lean client and Microsoft.AspNetCore.SignalR.Client disagree:\n{rawDelta}\n{officialDelta}");
    }

    Console.WriteLine("The lean WebSocket client received the same delta as Microsoft.AspNetCore.SignalR.Client.");
}

async Task IdleAndBroadcastAsync(Server server, RawHubClient poster, int size, bool isProduct)
{
    var heapBefore = await server.ManagedBytesAsync();
    var rssBefore = server.ResidentBytes();
    // The server's own background work (for the product: the Orleans silo), without connections.
    var emptyCpuBefore = server.CpuSeconds();
    await Task.Delay(TimeSpan.FromSeconds(options.IdleSeconds));
    var emptyCpu = (server.CpuSeconds() - emptyCpuBefore) / options.IdleSeconds;
    var clients = new ConcurrentBag<RawHubClient>();
    var errors = 0;
    var subscribe = new object[] { new[] { new { topic = Topic, after = 1_000_000_000L } } };
    var connecting = Stopwatch.StartNew();
    await Parallel.ForEachAsync(Enumerable.Range(0, size), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (_, ct) =>
    {
        try
        {
            var client = await RawHubClient.ConnectAsync(server.Address, "/live", null, ct);
            clients.Add(client);
            await client.InvokeAsync("Subscribe", subscribe);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Interlocked.Increment(ref errors);
        }
    });
    var connectSeconds = connecting.Elapsed.TotalSeconds;

    // Held idle: keep-alive pings from the clients (as browsers send them), CPU of the server only.
    using var keepAlive = new PeriodicTimer(TimeSpan.FromSeconds(10));
    var pinging = Task.Run(async () =>
    {
        while (await keepAlive.WaitForNextTickAsync())
        {
            foreach (var client in clients)
            {
                try
                {
                    await client.KeepAliveAsync();
                }
                catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or OperationCanceledException or ObjectDisposedException)
                {
                }
            }
        }
    });
    var idleStart = await server.CountersAsync();
    await Task.Delay(TimeSpan.FromSeconds(options.IdleSeconds));
    var idle = (await server.CountersAsync()).Since(idleStart);
    var idleCpu = idle.CpuSeconds / options.IdleSeconds;
    var idleAllocated = idle["allocated"] / options.IdleSeconds;
    var heapAfter = await server.ManagedBytesAsync();
    var rssAfter = server.ResidentBytes();
    var held = clients.Count;

    var latencies = new List<double>();
    var firsts = new List<double>();
    var acknowledged = new List<double>();
    var missed = 0;
    var broadcasting = await server.CountersAsync();
    var broadcastClock = Stopwatch.StartNew();
    for (var b = 0; b < options.Broadcasts; b++)
    {
        var marker = Encoding.UTF8.GetBytes($"bench-{Guid.NewGuid():N}");
        var watches = clients.Select(c => c.Watch(marker)).ToArray();
        var sent = Stopwatch.GetTimestamp();
        await poster.InvokeAsync("PostAnnouncement", Slug, Encoding.UTF8.GetString(marker) + " Room B moved to 11:45, see the agenda.", 5, Guid.NewGuid().ToString("N"));
        acknowledged.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
        var all = Task.WhenAll(watches);
        await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(30)));
        var first = double.MaxValue;
        foreach (var watch in watches)
        {
            if (watch.IsCompletedSuccessfully)
            {
                var latency = Stopwatch.GetElapsedTime(sent, watch.Result).TotalMilliseconds;
                latencies.Add(latency);
                first = Math.Min(first, latency);
            }
            else
            {
                missed++;
            }
        }

        if (first < double.MaxValue)
        {
            firsts.Add(first);
        }

        await Task.Delay(500);
    }

    // Per broadcast: the loop's CPU as it is (the idle rate measured just after connecting holds
    // the connect burst's collections and recompilation, and subtracting it gave negative figures),
    // and its allocations less what the idle server allocates over the same time.
    var broadcast = (await server.CountersAsync()).Since(broadcasting);
    var cpuPerBroadcast = broadcast.CpuSeconds / options.Broadcasts;
    var allocatedPerBroadcast = (broadcast["allocated"] - (idleAllocated * broadcastClock.Elapsed.TotalSeconds)) / options.Broadcasts;

    await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (c, _) => await c.DisposeAsync());
    keepAlive.Dispose();
    await pinging;

    var name = $"N={size:N0}";
    results.Add($"{name}: connections held (errors)", held, null, isProduct, text: $"{held:N0} ({errors})");
    results.Add($"{name}: connect + subscribe, connections/s", held / connectSeconds, null, isProduct);
    results.Add($"{name}: RSS per connection, KB", (rssAfter - rssBefore) / 1024.0 / Math.Max(1, held), null, isProduct);
    results.Add($"{name}: managed heap per connection, KB", (heapAfter - heapBefore) / 1024.0 / Math.Max(1, held), null, isProduct);
    results.Add($"{name}: idle CPU, % of one core (before connecting)", idleCpu * 100, null, isProduct, text: $"{idleCpu * 100:0.0} ({emptyCpu * 100:0.0})");
    results.Add($"{name}: idle CPU added by the connections, % of one core", (idleCpu - emptyCpu) * 100, null, isProduct);
    latencies.Sort();
    results.Add($"{name}: broadcast p50, ms", Percentile(latencies, 0.50), null, isProduct);
    results.Add($"{name}: broadcast p99, ms", Percentile(latencies, 0.99), null, isProduct);
    // Where the fan-out begins: the path before the first write (the bare hub has none), apart from
    // the time the writes to every subscriber take.
    firsts.Sort();
    results.Add($"{name}: broadcast first arrival (median of broadcasts), ms", Percentile(firsts, 0.50), null, isProduct);
    acknowledged.Sort();
    results.Add($"{name}: announcement acknowledged to its poster, p50 ms", Percentile(acknowledged, 0.50), null, isProduct);
    results.Add($"{name}: CPU per broadcast (all subscribers, with the 0.5 s pause after it), ms", cpuPerBroadcast * 1000, null, isProduct);
    results.Add($"{name}: allocated per broadcast, KB", allocatedPerBroadcast / 1024.0, null, isProduct);
    results.Add($"{name}: broadcast max, ms (missed)", latencies.Count > 0 ? latencies[^1] : double.NaN, null, isProduct, text: $"{(latencies.Count > 0 ? latencies[^1] : double.NaN):N0} ({missed})");
    Console.WriteLine($"  {server.Name,-8} N={size}: held {held} ({errors} errors), broadcast p50 {Percentile(latencies, 0.5):N0} ms p99 {Percentile(latencies, 0.99):N0} ms, missed {missed}, {cpuPerBroadcast * 1000:N1} ms CPU per broadcast");
}

async Task PagesAsync(Server server, bool brotli)
{
    var latencies = new ConcurrentBag<double>();
    long bytes = 0;
    var failures = 0;
    var until = Stopwatch.GetTimestamp() + (long)(options.PageSeconds * Stopwatch.Frequency);
    var before = await server.CountersAsync();
    var started = Stopwatch.StartNew();
    await Parallel.ForEachAsync(Enumerable.Range(0, 16), async (_, _) =>
    {
        while (Stopwatch.GetTimestamp() < until)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.Address, $"/events/{Slug}"));
            if (brotli)
            {
                request.Headers.Add("Accept-Encoding", "br");
            }

            var at = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            latencies.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
            Interlocked.Add(ref bytes, body.Length);
            if (response.StatusCode != HttpStatusCode.OK || brotli != response.Content.Headers.ContentEncoding.Contains("br"))
            {
                Interlocked.Increment(ref failures);
            }
        }
    });
    var spent = (await server.CountersAsync()).Since(before);
    var sorted = latencies.Order().ToList();
    var label = brotli ? "agenda page with br" : "agenda page, no compression";
    // The rate on a shared machine measures the machine; the server's CPU per page does not.
    var cpuPerPage = spent.CpuSeconds * 1000 / Math.Max(1, sorted.Count);
    results.Add($"{label}: req/s", sorted.Count / started.Elapsed.TotalSeconds, null, true);
    results.Add($"{label}: server CPU per page, ms", cpuPerPage, null, true);
    results.Add($"{label}: ceiling at that cost, req/s ({Environment.ProcessorCount} cores / CPU per page)", Environment.ProcessorCount * 1000 / Math.Max(cpuPerPage, 1e-9), null, true);
    results.Add($"{label}: p99, ms", Percentile(sorted, 0.99), null, true);
    results.Add($"{label}: bytes a page (failures)", bytes / (double)Math.Max(1, sorted.Count), null, true, text: $"{bytes / Math.Max(1, sorted.Count):N0} ({failures})");
    Console.WriteLine($"  {label}: {sorted.Count / started.Elapsed.TotalSeconds:N0} req/s, p99 {Percentile(sorted, 0.99):N1} ms, {cpuPerPage:0.000} ms server CPU a page");
}

// Many distinct people on one Q&A board, each with their phone's one connection (and a second
// tab), voting questions up and down through the hub; each call paced below the hub's limit of
// 30 calls per 10 s per connection, as a person tapping would be.
async Task VotesAsync(Server server, string mailFolder, string storage)
{
    var organiser = new WebSession(http, server.Address, mailFolder);
    await organiser.SignInAsync(Organiser);
    await organiser.GetAsync($"/events/{Slug}/tickets");
    var saved = await organiser.PostFormAsync($"/events/{Slug}/tickets", ("Name", "Bench"), ("Price", ""), ("Currency", "eur"), ("Quantity", "100000"),
        ("Role", "Attendee"), ("Access", "Open"), ("MayCancel", "on"));
    if (saved.Status != HttpStatusCode.Found)
    {
        throw new InvalidOperationException($"Creating the bench's ticket type answered {(int)saved.Status}: {saved.Body[..Math.Min(500, saved.Body.Length)]}");
    }

    var agenda = await organiser.GetAsync($"/events/{Slug}");
    var session = Regex.Match(agenda.Body, $"/events/{Slug}/qa/([^\"/?]+)").Groups[1].Value;
    var preparing = Stopwatch.StartNew();
    var voters = new ConcurrentBag<(string Email, string Cookie)>();
    await Parallel.ForEachAsync(Enumerable.Range(0, options.Voters), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
    {
        var email = $"voter{i}-{Guid.NewGuid().ToString("N")[..6]}@bench.example.org";
        var person = new WebSession(http, server.Address, mailFolder);
        var page = await person.GetAsync($"/events/{Slug}/register");
        var ticket = Regex.Matches(page.Body, "name=\"ticket\" value=\"([^\"]+)\"").Select(m => m.Groups[1].Value).Last();
        var registered = await person.PostFormAsync($"/events/{Slug}/register", ("ticket", ticket), ("name", $"Voter {i}"), ("email", email), ("language", "en"));
        if (registered.Status != HttpStatusCode.Found)
        {
            throw new InvalidOperationException($"Registering {email} answered {(int)registered.Status}.");
        }

        await person.SignInAsync(email);
        voters.Add((email, person.CookieHeader));
    });
    Console.WriteLine($"  {storage}: {voters.Count} people registered and signed in ({preparing.Elapsed.TotalSeconds:N0} s)");

    var tabs = new List<RawHubClient>();
    foreach (var (_, cookie) in voters)
    {
        for (var t = 0; t < options.Tabs; t++)
        {
            tabs.Add(await RawHubClient.ConnectAsync(server.Address, "/live", cookie, CancellationToken.None));
        }
    }

    var questions = new List<string>();
    for (var q = 0; q < 5; q++)
    {
        questions.Add((await tabs[q * options.Tabs].InvokeAsync("AskQuestion", Slug, session, $"Bench question {q}: who pays for the pilot after year one?", false, Guid.NewGuid().ToString("N"))).GetString()!);
    }

    // A thousand people signed in and 2,000 tabs connected in the last seconds: left alone, the first
    // collections of the votes promote all of it (one gen1 collection moved 55 MB to gen2 in a 169 ms
    // pause, 2 s into the counted votes). A board that has been live for minutes has long since done
    // that, so the server collects fully (as before reading its heap) before the votes start.
    var settledHeap = await server.ManagedBytesAsync();
    Console.WriteLine($"  {storage}: {settledHeap / (1024.0 * 1024):N0} MB of live managed heap before the votes");

    var refused = 0;
    // Without --vote-rate every tab taps as fast as the hub's limit allows (the board saturates and
    // the ack latency is a queue's); with it the tabs together offer that many votes a second, which
    // is how an ack-latency target at a given rate is measured.
    var fastest = TimeSpan.FromMilliseconds(10_000.0 / 30 + 5);
    var pace = options.VoteRate is { } rate ? TimeSpan.FromSeconds(Math.Max(tabs.Count / rate, fastest.TotalSeconds)) : fastest;
    // The first seconds are not counted: they carry the board's first snapshots, JIT tiering and the
    // pools filling, once per process, which a board that has been live for minutes no longer pays.
    var measureFrom = Stopwatch.GetTimestamp() + (long)(options.VoteWarmupSeconds * Stopwatch.Frequency);
    var measureFromUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + (long)(options.VoteWarmupSeconds * 1000);
    var until = measureFrom + (long)(options.VoteSeconds * Stopwatch.Frequency);
    var acks = new ConcurrentBag<(long At, double Ms)>();
    var voting = Task.WhenAll(tabs.Select(async (tab, index) =>
    {
        // Each tab votes its own questions, so two tabs of one person never undo each other.
        var mine = questions.Where((_, q) => q % options.Tabs == index % options.Tabs).ToList();
        var up = new bool[mine.Count];
        await Task.Delay(Random.Shared.Next((int)pace.TotalMilliseconds));
        for (var n = 0; Stopwatch.GetTimestamp() < until; n++)
        {
            var q = n % mine.Count;
            up[q] = !up[q];
            var at = Stopwatch.GetTimestamp();
            try
            {
                await tab.InvokeAsync("VoteQuestion", Slug, session, mine[q], up[q], Guid.NewGuid().ToString("N"));
                if (at >= measureFrom)
                {
                    acks.Add((at, Stopwatch.GetElapsedTime(at).TotalMilliseconds));
                }
            }
            catch (InvalidOperationException)
            {
                Interlocked.Increment(ref refused);
            }

            var rest = pace - Stopwatch.GetElapsedTime(at);
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest);
            }
        }
    }));
    await Task.Delay(TimeSpan.FromTicks(Math.Max(0, Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), measureFrom).Ticks)));
    var before = await server.CountersAsync();
    var machineBefore = MachineCpu.Read();
    var running = Stopwatch.StartNew();
    await voting;
    var seconds = running.Elapsed.TotalSeconds;
    var machine = MachineCpu.Read().Since(machineBefore);
    var after = await server.CountersAsync();
    var spent = after.Since(before);
    // Whether the machine was the limit: who used the cores while the votes ran.
    Console.WriteLine($"  {storage}: cores busy during the votes: {machine.Busy / seconds:0.00} of {Environment.ProcessorCount} " +
        $"(server {spent.CpuSeconds / seconds:0.00}, load generator {machine.Self / seconds:0.00}, PostgreSQL {machine.Postgres / seconds:0.00}, " +
        $"other {(machine.Busy - spent.CpuSeconds - machine.Self - machine.Postgres) / seconds:0.00})");
    // Where the slow acks sit: p99 of each second of the run (a stall shows as one bad second).
    Console.WriteLine($"  {storage}: ack p99 by second, ms: " + string.Join(" ", acks
        .GroupBy(a => (a.At - measureFrom) / Stopwatch.Frequency).OrderBy(g => g.Key)
        .Select(g => Percentile([.. g.Select(a => a.Ms).Order()], 0.99).ToString("0", CultureInfo.InvariantCulture))));
    // Beside it, the server's longest journal write (from asking for a connection to the commit) and
    // longest GC pause in the same second: a slow second with neither is the queue's.
    string LongestBySecond(string name) => string.Join(" ", Enumerable.Range(0, (int)Math.Ceiling(seconds))
        .Select(k => Enumerable.Range(0, 4).Select(q => after[$"{name}.max@{((measureFromUnixMs + (k * 1000)) / 250) + q}"]).Max() / 1000.0)
        .Select(ms => ms.ToString("0", CultureInfo.InvariantCulture)));
    Console.WriteLine($"  {storage}: the seconds above start at {DateTimeOffset.FromUnixTimeMilliseconds(measureFromUnixMs):HH:mm:ss.fff} UTC");
    Console.WriteLine($"  {storage}: longest journal write by second, ms: {LongestBySecond("events.journal.write_duration")}");
    Console.WriteLine($"  {storage}: longest GC pause by second, ms: {LongestBySecond("gc_pause_us")}");
    Console.WriteLine($"  {storage}: GC pauses of 20 ms or more (second, generation, kind, ms): " + string.Join(", ", after.Totals
        .Where(t => t.Key.StartsWith("gc_long.", StringComparison.Ordinal))
        .Select(t => (At: (long.Parse(t.Key[(t.Key.IndexOf('@') + 1)..], CultureInfo.InvariantCulture) - measureFromUnixMs) / 1000.0, Kind: t.Key[8..t.Key.IndexOf('@')], Ms: t.Value / 1000.0))
        .Where(p => p.At >= 0 && p.At <= seconds).OrderBy(p => p.At)
        .Select(p => $"{p.At:0.0} {p.Kind} {p.Ms:0}")));
    await Parallel.ForEachAsync(tabs, async (c, _) => await c.DisposeAsync());

    var sorted = acks.Select(a => a.Ms).Order().ToList();
    var label = $"votes on one board, {storage} ({voters.Count} people × {options.Tabs} tabs, offered ≤ {tabs.Count * 1000 / pace.TotalMilliseconds:N0}/s)";
    results.Add($"{label}: acknowledged/s (refused)", sorted.Count / seconds, null, true, text: $"{sorted.Count / seconds:N0} ({refused})");
    results.Add($"{label}: ack p50, ms", Percentile(sorted, 0.50), null, true);
    results.Add($"{label}: ack p99, ms", Percentile(sorted, 0.99), null, true);
    // What a vote costs, whatever the machine's load: the ceiling is what the cores could take.
    var votes = Math.Max(1, sorted.Count);
    var cpuPerVote = spent.CpuSeconds / votes;
    var writes = Math.Max(1, spent["events.journal.writes"]);
    results.Add($"{label}: server CPU per vote, ms", cpuPerVote * 1000, null, true);
    results.Add($"{label}: ceiling at that cost, votes/s ({Environment.ProcessorCount} cores / CPU per vote)", Environment.ProcessorCount / Math.Max(cpuPerVote, 1e-9), null, true);
    results.Add($"{label}: allocated per vote, KB", spent["allocated"] / 1024.0 / votes, null, true);
    results.Add($"{label}: journal events per write (batch size)", spent["events.journal.events"] / (double)writes, null, true);
    results.Add($"{label}: SQL statements / round trips per write", spent["events.journal.statements"] / (double)writes, null, true,
        text: $"{spent["events.journal.statements"] / (double)writes:0.00} / {spent["events.journal.round_trips"] / (double)writes:0.00}");
    results.Add($"{label}: snapshots per 1,000 votes (KB each)", spent["events.journal.snapshots"] * 1000.0 / votes, null, true,
        text: $"{spent["events.journal.snapshots"] * 1000.0 / votes:0.0} ({spent["events.journal.snapshot_bytes"] / 1024.0 / Math.Max(1, spent["events.journal.snapshots"]):N0})");
    results.Add($"{label}: garbage collections gen0/gen1/gen2", spent["gen2"], null, true, text: $"{spent["gen0"]}/{spent["gen1"]}/{spent["gen2"]}");
    Console.WriteLine($"  {storage}: {cpuPerVote * 1000:0.000} ms CPU and {spent["allocated"] / 1024.0 / votes:N1} KB allocated per vote; " +
        $"{spent["events.journal.writes"]} writes of {spent["events.journal.events"] / (double)writes:N1} events, {spent["events.journal.statements"] / (double)writes:0.00} statements and {spent["events.journal.round_trips"] / (double)writes:0.00} round trips each; " +
        $"{spent["events.journal.snapshots"]} snapshots; load {File.ReadAllText("/proc/loadavg").Trim()}");
    Console.WriteLine($"  {storage}: server GC pauses during the votes: {spent["gc_pause_total_us"] / 1000.0:N0} ms in all, the longest {after["gc_pause_longest_us"] / 1000.0:N1} ms");
    Console.WriteLine($"  {storage}: {sorted.Count / seconds:N0} votes/s acknowledged, p50 {Percentile(sorted, 0.5):N1} ms, p99 {Percentile(sorted, 0.99):N1} ms, {refused} refused");
}

static double Percentile(List<double> sorted, double p) =>
    sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
