using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Events.Bench;

// One server process under test (the published product or the bare hub), on a port of its own,
// with the probe hook loaded. Started and stopped by the bench; its console goes to a log file.
public sealed class Server : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _probe;

    private Server(string name, Process process, Uri address, string probe, TimeSpan startUp, string log)
    {
        Name = name;
        _process = process;
        Address = address;
        _probe = probe;
        StartUp = startUp;
        Log = log;
    }

    public string Name { get; }

    public Uri Address { get; }

    // From process start to the first 200 of FirstPage.
    public TimeSpan StartUp { get; }

    public string Log { get; }

    public int Pid => _process.Id;

    public static async Task<Server> StartAsync(string name, string dll, string workFolder, string firstPage, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        Directory.CreateDirectory(workFolder);
        var port = FreePort();
        var address = new Uri($"http://127.0.0.1:{port}");
        var probe = Path.Combine(workFolder, "probe");
        var log = Path.Combine(workFolder, "console.log");
        var start = new ProcessStartInfo("dotnet")
        {
            // The content root (wwwroot, the static assets manifest) is the working directory.
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(dll))!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(address.ToString().TrimEnd('/'));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument.Replace("{port}", port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_STARTUP_HOOKS"] = typeof(StartupHook).Assembly.Location;
        start.Environment["EVENTS_BENCH_PROBE"] = probe;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var clock = Stopwatch.StartNew();
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {dll}.");
        var writer = new StreamWriter(log) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (writer) { writer.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (writer) { writer.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with {process.ExitCode} while starting; see {log}.");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(address, firstPage));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{name} did not serve {firstPage} within 3 minutes; see {log}.");
            }

            await Task.Delay(20);
        }

        return new Server(name, process, address, probe, clock.Elapsed, log);
    }

    public long ResidentBytes()
    {
        _process.Refresh();
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    // Live managed bytes after a full, compacting collection in the server (see StartupHook).
    public async Task<long> ManagedBytesAsync() =>
        long.Parse(await AskProbeAsync(".ask", ".heap"), CultureInfo.InvariantCulture);

    // Bytes allocated, collections and the product's cost counters so far (see StartupHook).
    public async Task<Counters> CountersAsync()
    {
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in (await AskProbeAsync(".count-ask", ".count")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var space = line.LastIndexOf(' ');
            totals[line[..space]] = long.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }

        return new Counters(totals, CpuSeconds());
    }

    private async Task<string> AskProbeAsync(string ask, string answer)
    {
        File.Delete(_probe + answer);
        await File.WriteAllTextAsync(_probe + ask, "");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!File.Exists(_probe + answer))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Name} did not answer the probe ({ask}).");
            }

            await Task.Delay(20);
        }

        return await File.ReadAllTextAsync(_probe + answer);
    }

    // User + system CPU seconds the process has used.
    public double CpuSeconds()
    {
        var fields = File.ReadAllText($"/proc/{_process.Id}/stat").Split(") ")[1].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

// What a server had spent at one moment: CPU seconds and the probe's totals; the difference of two
// is what the work between them cost.
public sealed record Counters(IReadOnlyDictionary<string, long> Totals, double CpuSeconds)
{
    public long this[string name] => Totals.GetValueOrDefault(name);

    public Counters Since(Counters before) => new(
        Totals.ToDictionary(t => t.Key, t => t.Value - before[t.Key], StringComparer.Ordinal),
        CpuSeconds - before.CpuSeconds);
}
