using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

// A 2G attendee's event day, measured on the wire: Chromium keeps the agenda and one Q&A board open
// on a server of its own while a moderator, on a second port of the same server (not captured),
// changes things. tcpdump on loopback counts every packet to and from the attendee's port, IP and
// TCP headers included (the 14-byte link header of loopback is not: a phone's link has its own).
// Each kind of traffic is measured in a window of its own, then scaled to a day with the rates
// printed below. Prints figures; asserts nothing.
// The attendee is signed in (every request then carries the session cookies), unless --anonymous.
//   bench/day-budget.sh [--idle-minutes 5] [--samples 5] [--drop-minutes 5] [--settle-seconds 320] [--anonymous]
var culture = CultureInfo.InvariantCulture;
var idleMinutes = Option("--idle-minutes", 5.0);
var samples = (int)Option("--samples", 5.0);
var dropMinutes = Option("--drop-minutes", 5.0);
var settleSeconds = Option("--settle-seconds", 320.0);
var anonymous = args.Contains("--anonymous");
var serverDll = OptionText("--server") ?? throw new ArgumentException("--server <path of Events.Silo.dll> is required (bench/day-budget.sh gives it)");

// What an 8-hour day holds, per hour, on the pages the attendee keeps open.
var day = new (string Kind, double PerHour)[]
{
    ("agenda change", 2), ("announcement", 2), ("question", 6), ("vote", 30),
};
const double Hours = 8;
const int Drops = 2;

const string Slug = "city-pilots-pitch-day";
const string Session = "s2";
const string Moderator = "organiser@example.org";
var attendeePort = FreePort();
var moderatorPort = FreePort();
var data = Path.Combine(Path.GetTempPath(), "events-day-budget", Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(data);

using var server = Process.Start(new ProcessStartInfo("dotnet")
{
    ArgumentList =
    {
        serverDll, "--urls", $"http://127.0.0.1:{attendeePort};http://127.0.0.1:{moderatorPort}",
        "--environment", "Production", "--Storage:DataFolder", data, "--Orleans:SiloPort", FreePort().ToString(culture),
        "--Site:PublicUrl", $"http://127.0.0.1:{attendeePort}", "--RateLimits:SignInRequests", "1000",
    },
    WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(serverDll))!,
    RedirectStandardOutput = true,
    RedirectStandardError = true,
})!;
server.OutputDataReceived += (_, _) => { };
server.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine("server: " + e.Data); } };
server.BeginOutputReadLine();
server.BeginErrorReadLine();
try
{
    var attendeeBase = $"http://127.0.0.1:{attendeePort}";
    var moderatorBase = $"http://127.0.0.1:{moderatorPort}";
    await WaitForServerAsync(attendeeBase);

    using var playwright = await Playwright.CreateAsync();
    await using var browser = await playwright.Chromium.LaunchAsync(new()
    {
        ExecutablePath = "/usr/bin/chromium",
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });

    var moderatorContext = await browser.NewContextAsync(new() { Locale = "en-GB" });
    var moderator = await moderatorContext.NewPageAsync();
    await SignInAsync(moderator, moderatorBase, Moderator, data);

    var attendeeContext = await browser.NewContextAsync(new() { Locale = "en-GB" });
    if (!anonymous)
    {
        var signingIn = await attendeeContext.NewPageAsync();
        await SignInAsync(signingIn, attendeeBase, "attendee@example.org", data);
        await signingIn.CloseAsync();
    }

    var results = new List<(string What, double Bytes, int Packets, string Note)>();

    // First load: both pages, their scripts, the live connections and the offline copies.
    var ((agenda, board), firstLoad) = await CaptureAsync(attendeePort, async () =>
    {
        var agendaPage = await attendeeContext.NewPageAsync();
        await agendaPage.GotoAsync($"{attendeeBase}/events/{Slug}");
        await WaitLiveAsync(agendaPage);
        var boardPage = await attendeeContext.NewPageAsync();
        await boardPage.GotoAsync($"{attendeeBase}/events/{Slug}/qa/{Session}");
        await WaitLiveAsync(boardPage);
        await Task.Delay(TimeSpan.FromSeconds(5));
        return (agendaPage, boardPage);
    });
    results.Add(("first load (agenda + board)", firstLoad.Bytes, firstLoad.Packets, "once"));

    // The HTTP connections of the first load stay open until Chromium lets idle sockets go (about
    // 5 minutes), probed every 45 s meanwhile: a day's idle cost is what follows.
    await Task.Delay(TimeSpan.FromSeconds(settleSeconds));
    var (_, idle) = await CaptureAsync(attendeePort, async () =>
    {
        await Task.Delay(TimeSpan.FromMinutes(idleMinutes));
        return 0;
    });
    var idlePerSecond = idle.Bytes / idle.Seconds;
    results.Add(("keep-alive, per minute", idlePerSecond * 60, (int)Math.Round(idle.Packets / idle.Seconds * 60), $"{idleMinutes} min measured"));

    var perChange = new Dictionary<string, double>();
    async Task MeasureAsync(string kind, Func<int, Task> change)
    {
        var (_, traffic) = await CaptureAsync(attendeePort, async () =>
        {
            for (var i = 0; i < samples; i++)
            {
                await change(i);
                // Vote counts leave at most once a second per board: space changes so each is a push of its own.
                await Task.Delay(TimeSpan.FromSeconds(3));
            }

            return 0;
        });
        var bytes = Math.Max(0, traffic.Bytes - idlePerSecond * traffic.Seconds) / samples;
        perChange[kind] = bytes;
        results.Add(($"{kind}, each", bytes, traffic.Packets / samples, $"{samples} measured, keep-alive share removed"));
    }

    await moderator.GotoAsync($"{moderatorBase}/events/{Slug}");
    await WaitLiveAsync(moderator);
    await MeasureAsync("announcement", async i =>
    {
        await moderator.FillAsync("#markdown", $"Announcement {i}: the coffee is in hall B");
        await moderator.ClickAsync("#announce button[type=submit]");
        await agenda.Locator("#announcements li", new() { HasText = $"Announcement {i}:" }).WaitForAsync();
    });
    await MeasureAsync("agenda change", async i =>
    {
        await moderator.GotoAsync($"{moderatorBase}/events/{Slug}");
        await moderator.Locator($"#kind-{Session}").Locator("xpath=ancestor::details/summary").ClickAsync();
        await moderator.SelectOptionAsync($"#kind-{Session}", "Delayed");
        await moderator.FillAsync($"#minutes-{Session}", "5");
        await moderator.Locator($"#kind-{Session}").Locator("xpath=ancestor::form//button[@type='submit']").ClickAsync();
        await agenda.Locator("ol.changes li").Nth(i).WaitForAsync();
    });
    await moderator.GotoAsync($"{moderatorBase}/events/{Slug}/qa/{Session}");
    await WaitLiveAsync(moderator);
    await MeasureAsync("question", async i =>
    {
        await moderator.FillAsync("#text", $"Question {i}: how does the pilot handle cash payments?");
        await moderator.ClickAsync("#ask button[type=submit]");
        await board.Locator("li.question", new() { HasText = $"Question {i}:" }).WaitForAsync();
    });
    await MeasureAsync("vote", async i =>
    {
        var expected = i % 2 == 0 ? "1" : "0";
        await moderator.Locator("li.question").First.Locator("form[action$='/vote'] button").ClickAsync();
        await board.Locator("li.question").First.Locator(".votes", new() { HasText = expected }).WaitForAsync();
    });

    // A drop: the browser goes offline, things happen meanwhile, the link comes back.
    var dropBytes = 0.0;
    var dropPackets = 0;
    for (var drop = 0; drop < Drops; drop++)
    {
        var (_, traffic) = await CaptureAsync(attendeePort, async () =>
        {
            await attendeeContext.SetOfflineAsync(true);
            await moderator.GotoAsync($"{moderatorBase}/events/{Slug}");
            await moderator.FillAsync("#markdown", $"Posted during drop {drop}");
            await moderator.ClickAsync("#announce button[type=submit]");
            await Task.Delay(TimeSpan.FromMinutes(dropMinutes));
            await attendeeContext.SetOfflineAsync(false);
            await agenda.Locator("#announcements li", new() { HasText = $"Posted during drop {drop}" }).WaitForAsync(new() { Timeout = 120_000 });
            await WaitLiveAsync(board);
            await Task.Delay(TimeSpan.FromSeconds(5));
            return 0;
        });
        dropBytes += traffic.Bytes / Drops;
        dropPackets += traffic.Packets / Drops;
    }

    results.Add(("drop and reconnect, each", dropBytes, dropPackets, $"offline {dropMinutes} min, one announcement missed"));

    Console.WriteLine();
    Console.WriteLine($"Events day budget on the wire (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}), {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    Console.WriteLine();
    Console.WriteLine($"| {"measured",-32} | {"bytes",9} | {"packets",7} | note");
    Console.WriteLine($"|{new string('-', 34)}|{new string('-', 11)}|{new string('-', 9)}|------");
    foreach (var (what, bytes, packets, note) in results)
    {
        Console.WriteLine($"| {what,-32} | {bytes,9:N0} | {packets,7} | {note}");
    }

    var total = new List<(string Kind, double Bytes)>
    {
        ("first load", firstLoad.Bytes),
        ("keep-alive", idlePerSecond * 3600 * Hours),
    };
    foreach (var (kind, perHour) in day)
    {
        total.Add(($"{kind}s ({perHour * Hours:N0})", perChange[kind] * perHour * Hours));
    }

    total.Add(($"reconnects ({Drops})", dropBytes * Drops));
    Console.WriteLine();
    Console.WriteLine($"The attendee is {(anonymous ? "anonymous" : "signed in")}. An {Hours}-hour day, per hour: {string.Join(", ", day.Select(d => $"{d.PerHour} {d.Kind}s"))}; {Drops} drops.");
    Console.WriteLine();
    Console.WriteLine($"| {"day, by kind",-32} | {"bytes",9} |");
    Console.WriteLine($"|{new string('-', 34)}|{new string('-', 11)}|");
    foreach (var (kind, bytes) in total)
    {
        Console.WriteLine($"| {kind,-32} | {bytes,9:N0} |");
    }

    var sum = total.Sum(t => t.Bytes);
    Console.WriteLine($"| {"total (budget 300 KB = 307,200)",-32} | {sum,9:N0} |");
}
finally
{
    if (!server.HasExited)
    {
        server.Kill(entireProcessTree: true);
        await server.WaitForExitAsync();
    }

    Directory.Delete(data, recursive: true);
}

static async Task<(T Result, Traffic Traffic)> CaptureAsync<T>(int port, Func<Task<T>> during)
{
    var file = Path.Combine(Path.GetTempPath(), $"events-day-budget-{Guid.NewGuid():N}.pcap");
    using var tcpdump = Process.Start(new ProcessStartInfo("tcpdump", ["-i", "lo", "-U", "-n", "-w", file, "tcp", "port", port.ToString(CultureInfo.InvariantCulture)])
    {
        RedirectStandardError = true,
    }) ?? throw new InvalidOperationException("tcpdump did not start (bench/day-budget.sh installs it; it needs root).");
    var listening = new TaskCompletionSource();
    tcpdump.ErrorDataReceived += (_, e) =>
    {
        if (e.Data?.Contains("listening on", StringComparison.Ordinal) == true)
        {
            listening.TrySetResult();
        }
    };
    tcpdump.BeginErrorReadLine();
    await listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
    var clock = Stopwatch.StartNew();
    var result = await during();
    var seconds = clock.Elapsed.TotalSeconds;
    // SIGINT: tcpdump writes what it holds and exits.
    Process.Start("kill", ["-INT", tcpdump.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
    await tcpdump.WaitForExitAsync();
    var traffic = ReadPcap(file, seconds);
    // EVENTS_BENCH_PCAPS=folder keeps each window's capture there, to read with tcpdump -r or Wireshark.
    if (Environment.GetEnvironmentVariable("EVENTS_BENCH_PCAPS") is { Length: > 0 } keep)
    {
        Directory.CreateDirectory(keep);
        File.Move(file, Path.Combine(keep, $"{DateTime.UtcNow:HHmmss}-{traffic.Bytes}.pcap"));
    }
    else
    {
        File.Delete(file);
    }
    return (result, traffic);
}

// The classic pcap format: a 24-byte file header, then per packet 16 bytes whose third field is
// the packet's original length on the wire.
static Traffic ReadPcap(string file, double seconds)
{
    const int LinkHeader = 14;
    var bytes = File.ReadAllBytes(file);
    long total = 0;
    var packets = 0;
    for (var at = 24; at + 16 <= bytes.Length;)
    {
        var captured = BitConverter.ToInt32(bytes, at + 8);
        var original = BitConverter.ToInt32(bytes, at + 12);
        total += original - LinkHeader;
        packets++;
        at += 16 + captured;
    }

    return new Traffic(total, packets, seconds);
}

static async Task WaitLiveAsync(IPage page) =>
    await page.Locator("#live-status[data-state=live]").WaitForAsync(new() { Timeout = 60_000 });

static async Task SignInAsync(IPage page, string baseAddress, string email, string dataFolder)
{
    await page.GotoAsync($"{baseAddress}/signin");
    await page.FillAsync("#email", email);
    await page.ClickAsync("form[action='/signin'] button[type=submit]");
    await page.WaitForURLAsync(new Regex("/signin/"));
    var outbox = Path.Combine(dataFolder, "outbox");
    var deadline = DateTime.UtcNow.AddSeconds(30);
    string? code = null;
    while (code is null && DateTime.UtcNow < deadline)
    {
        code = Directory.Exists(outbox)
            ? Directory.GetFiles(outbox, "*.eml").Select(File.ReadAllText).Where(m => m.Contains(email, StringComparison.OrdinalIgnoreCase))
                .Select(m => Regex.Match(m, @":\s*(\d{6})\s*$", RegexOptions.Multiline)).Where(m => m.Success).Select(m => m.Groups[1].Value).LastOrDefault()
            : null;
        if (code is null)
        {
            await Task.Delay(200);
        }
    }

    await page.FillAsync("#code", code ?? throw new InvalidOperationException("No sign-in code arrived in " + outbox));
    await page.ClickAsync("form button[type=submit]");
    await page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));
}

static async Task WaitForServerAsync(string baseAddress)
{
    using var client = new HttpClient();
    var deadline = DateTime.UtcNow.AddMinutes(2);
    while (DateTime.UtcNow < deadline)
    {
        try
        {
            if ((await client.GetAsync($"{baseAddress}/healthz")).StatusCode == HttpStatusCode.OK)
            {
                return;
            }
        }
        catch (HttpRequestException)
        {
        }

        await Task.Delay(500);
    }

    throw new TimeoutException("The server did not answer /healthz within 2 minutes.");
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

double Option(string name, double fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? double.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}

string? OptionText(string name)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

internal sealed record Traffic(long Bytes, int Packets, double Seconds);
