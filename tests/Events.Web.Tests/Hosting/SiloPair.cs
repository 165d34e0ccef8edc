using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Events.Silo;
using Events.Web.Security;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Events.Web.Tests.Hosting;

// Several real Events.Silo processes on one fresh PostgreSQL schema, forming one Orleans cluster,
// the way an operator runs them on one machine: same executable, same database, same outbox folder,
// ports of their own. PostgreSQL comes from EVENTS_TEST_POSTGRES (skipped without it, failed under CI=true).
public sealed class SiloCluster : IAsyncDisposable
{
    public const string PostgresVariable = "EVENTS_TEST_POSTGRES";
    // Generous: a silo process starting on a busy machine can take minutes, and only a failure waits this long.
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    private readonly string _adminConnectionString;
    private readonly List<ClusterSilo> _silos = [];
    private readonly HttpClient _http;
    private int _started;

    private SiloCluster(string adminConnectionString, string schema)
    {
        _adminConnectionString = adminConnectionString;
        Schema = schema;
        Folder = Path.Combine(Path.GetTempPath(), "events-two-silo-tests", schema);
        Directory.CreateDirectory(Folder);
        // A small pool per silo: the tests share their PostgreSQL server with other test runs.
        ConnectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { SearchPath = schema, MaxPoolSize = 25 }.ConnectionString;
        Outbox = new ClusterOutbox(Path.Combine(Folder, "outbox"));
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
        {
            Timeout = TimeSpan.FromSeconds(100),
        };
    }

    public string Schema { get; }

    public string ConnectionString { get; }

    public string Folder { get; }

    public ClusterOutbox Outbox { get; }

    internal HttpClient Http => _http;

    // A fresh schema of its own: no test sees another's rows, membership entries or outbox.
    public static async Task<SiloCluster> CreateAsync()
    {
        var admin = PostgresConnectionString();
        var schema = "two_silo_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var create = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        return new SiloCluster(admin, schema);
    }

    public static string PostgresConnectionString()
    {
        var value = Environment.GetEnvironmentVariable(PostgresVariable);
        if (!string.IsNullOrWhiteSpace(value))
        {
            return value;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"CI=true but {PostgresVariable} is not set: the two-silo tests must run in CI.");
        }

        Assert.Skip($"No PostgreSQL server: set {PostgresVariable} to a connection string (.ci/run does).");
        return "";
    }

    // Starts silos at the same instant and waits until each serves HTTP.
    public async Task<ClusterSilo[]> StartAsync(int count, IReadOnlyDictionary<string, string>? environment = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var silos = Enumerable.Range(0, count).Select(_ => Launch(environment)).ToArray();
        await Task.WhenAll(silos.Select(async s =>
        {
            await s.WaitUntilServingAsync(StartTimeout);
            Note($"{s} serves {s.Address} after {clock.Elapsed.TotalSeconds:0.0} s");
        }));
        return silos;
    }

    public async Task<(ClusterSilo A, ClusterSilo B)> StartPairAsync()
    {
        var pair = await StartAsync(2);
        return (pair[0], pair[1]);
    }

    // New processes for silos that stopped or were killed, on the same Orleans ports, as an
    // operator's service manager restarts them after a crash or a reboot.
    public async Task<ClusterSilo[]> RestartAsync(params ClusterSilo[] stopped)
    {
        Assert.All(stopped, s => Assert.False(s.IsRunning, $"{s} is still running."));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var silos = stopped.Select(s => Launch(null, (s.SiloPort, s.GatewayPort))).ToArray();
        await Task.WhenAll(silos.Select(async s =>
        {
            await s.WaitUntilServingAsync(StartTimeout);
            Note($"{s} serves {s.Address} after {clock.Elapsed.TotalSeconds:0.0} s");
        }));
        return silos;
    }

    private ClusterSilo Launch(IReadOnlyDictionary<string, string>? environment, (int Silo, int Gateway)? ports = null)
    {
        var number = Interlocked.Increment(ref _started);
        var name = ((char)('A' + number - 1)).ToString();
        var siloPort = ports?.Silo ?? EventsHost.FreePort();
        var gatewayPort = ports?.Gateway ?? EventsHost.FreePort();
        var process = SiloProcess.Start(
            Path.Combine(Folder, "data-" + name),
            environment ?? new Dictionary<string, string>(),
            "--Storage:Provider=PostgreSql",
            $"--Storage:ConnectionString={ConnectionString}",
            $"--Orleans:SiloPort={siloPort}",
            $"--Orleans:GatewayPort={gatewayPort}",
            $"--Orleans:ClusterId={Schema}",
            $"--Orleans:ServiceId={Schema}",
            $"--Mail:OutboxFolder={Outbox.Folder}",
            "--RateLimits:SignInRequests=100000",
            "--RateLimits:CodeAttempts=100000",
            "--RateLimits:InvitationAccepts=100000",
            // Tests on a shared pair sign the demo organiser in once each.
            "--RateLimits:SignInRequestsPerPerson=100000");
        var silo = new ClusterSilo(name, process, siloPort, gatewayPort);
        lock (_silos)
        {
            _silos.Add(silo);
        }

        return silo;
    }

    // Which running silo holds the grain's activation, asked of Orleans itself through a client on
    // the gateways: for choosing which silo to kill, never for an assertion.
    public async Task<ClusterSilo?> HostOfAsync<TGrain>(string key)
        where TGrain : IGrainWithStringKey
    {
        var gateways = _silos.Where(s => s.IsRunning).Select(s => new IPEndPoint(IPAddress.Loopback, s.GatewayPort)).ToArray();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client => client
            .UseStaticClustering(gateways)
            .Configure<ClusterOptions>(options =>
            {
                options.ClusterId = Schema;
                options.ServiceId = Schema;
            }));
        using var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            var client = host.Services.GetRequiredService<IClusterClient>();
            var address = await client.GetGrain<IManagementGrain>(0).GetActivationAddress(client.GetGrain<TGrain>(key));
            return address is null ? null : _silos.Single(s => s.IsRunning && s.SiloPort == address.Endpoint.Port);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    public ClusterBrowser NewBrowser() => new(this);

    // Outside a test (a class fixture's disposal) there is no outcome: the tests kept their own logs.
    private static bool TestFailed => TestContext.Current.TestState is { Result: not TestResult.Passed };

    // For a test on a cluster it shares with others: the logs so far, if this test failed.
    public async Task KeepLogsIfFailedAsync()
    {
        if (TestFailed)
        {
            await KeepLogsAsync();
        }
    }

    // Kept for reading after a failure.
    private async Task KeepLogsAsync()
    {
        var logs = Path.Combine(Path.GetTempPath(), "events-two-silo-logs", Schema);
        Directory.CreateDirectory(logs);
        ClusterSilo[] silos;
        lock (_silos)
        {
            silos = [.. _silos];
        }

        foreach (var silo in silos)
        {
            await File.WriteAllTextAsync(Path.Combine(logs, $"silo-{silo.Name}.log"), silo.Process.Output, CancellationToken.None);
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"Silo logs: {logs}");
    }

    // A line in the test's output, for reading a slow or failed run; never asserted on.
    public void Note(string line) => TestContext.Current.TestOutputHelper?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");

    // Disposed after the test, when its outcome is known: a failed test keeps the silos' logs.
    public async ValueTask DisposeAsync()
    {
        var failed = TestFailed;
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        if (failed)
        {
            await KeepLogsAsync();
        }

        _http.Dispose();
        try
        {
            await using var connection = new NpgsqlConnection(_adminConnectionString);
            await connection.OpenAsync(CancellationToken.None);
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
        finally
        {
            if (Directory.Exists(Folder))
            {
                Directory.Delete(Folder, recursive: true);
            }
        }
    }
}

// One silo process of a cluster, with where it serves HTTP and its Orleans ports.
public sealed class ClusterSilo(string name, SiloProcess process, int siloPort, int gatewayPort) : IAsyncDisposable
{
    private Uri? _address;

    public string Name { get; } = name;

    public SiloProcess Process { get; } = process;

    public int SiloPort { get; } = siloPort;

    public int GatewayPort { get; } = gatewayPort;

    public bool IsRunning => !Process.HasExited;

    public Uri Address => _address ?? throw new InvalidOperationException($"Silo {Name} is not serving yet.");

    public Uri Url(string path) => new(Address, path);

    internal async Task WaitUntilServingAsync(TimeSpan timeout)
    {
        var listening = Process.WaitUntilListeningAsync(timeout);
        var exited = Process.WaitForExitAsync(timeout);
        if (await Task.WhenAny(listening, exited) != listening || !listening.IsCompletedSuccessfully)
        {
            var why = exited.IsCompletedSuccessfully ? $"exited with code {exited.Result}" : "did not listen in time";
            throw new InvalidOperationException($"Silo {Name} {why}:\n{Process.Output}");
        }

        _address = listening.Result;
    }

    // kill -9.
    public void Kill() => Process.Kill();

    // Ctrl+C, and the process's exit code.
    public async Task<int> StopAsync()
    {
        Process.Interrupt();
        return await Process.WaitForExitAsync(SiloCluster.StartTimeout);
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    public override string ToString() => $"silo {Name}";
}

// The outbox folder every silo of a cluster writes to (Development, no SMTP host): one .eml per mail.
public sealed partial class ClusterOutbox(string folder)
{
    private readonly Dictionary<string, (string To, string Body)> _read = new(StringComparer.Ordinal);
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    public string Folder { get; } = folder;

    // The sign-in code of the next mail to this address not taken before.
    public Task<string> TakeCodeAsync(string email) => Eventually.FoundAsync($"a sign-in mail to {email} in {Folder}", () =>
    {
        lock (_read)
        {
            Scan();
            foreach (var (name, mail) in _read.OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                if (mail.To == email && _taken.Add(name))
                {
                    var code = CodePattern().Match(mail.Body);
                    Assert.True(code.Success, $"No sign-in code in the mail to {email}: {mail.Body}");
                    return code.Groups[1].Value;
                }
            }

            return null;
        }
    });

    private void Scan()
    {
        if (!Directory.Exists(Folder))
        {
            return;
        }

        foreach (var path in Directory.GetFiles(Folder, "*.eml"))
        {
            var name = Path.GetFileName(path);
            if (_read.ContainsKey(name))
            {
                continue;
            }

            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (IOException)
            {
                continue;
            }

            // A mail still being written has no body yet: read it on the next scan.
            var split = text.IndexOf("\n\n", StringComparison.Ordinal);
            if (split < 0 || !CodePattern().IsMatch(text))
            {
                continue;
            }

            var to = text[..split].Split('\n').Select(l => l.Split(": ", 2)).Where(p => p[0] == "To").Select(p => p[1]).FirstOrDefault() ?? "";
            _read[name] = (to, text[(split + 2)..]);
        }
    }

    [GeneratedRegex(@"code on the page where you asked to sign in: (\d{6})")]
    private static partial Regex CodePattern();
}

// One person's browser without JavaScript, talking to whichever silo each request names (as a
// person behind a load balancer would): keeps its cookies, reads the antiforgery token from the
// last page, posts forms, never follows redirects.
public sealed partial class ClusterBrowser(SiloCluster cluster)
{
    private readonly Dictionary<string, string> _cookies = [];
    private string? _formToken;

    public string? Email { get; private set; }

    public IReadOnlyDictionary<string, string> Cookies
    {
        get
        {
            lock (_cookies)
            {
                return new Dictionary<string, string>(_cookies);
            }
        }
    }

    public bool IsSignedIn => Cookies.ContainsKey(SecuritySetup.AuthCookie);

    public Task<HttpResponseMessage> GetAsync(ClusterSilo silo, string path) => GetWithin(silo, path, TestContext.Current.CancellationToken);

    // A request the caller may cut short (while a silo is dying, calls can hang until Orleans times them out).
    public Task<HttpResponseMessage> GetWithin(ClusterSilo silo, string path, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, silo.Url(path)), cancellationToken);

    public async Task<string> GetPageAsync(ClusterSilo silo, string path)
    {
        using var response = await GetAsync(silo, path);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} on {silo} answered {(int)response.StatusCode}: {html}");
        return html;
    }

    // Posts a form with the antiforgery token of the last page this browser fetched, from any silo.
    public Task<HttpResponseMessage> PostFormAsync(ClusterSilo silo, string path, params (string Name, string Value)[] fields) =>
        PostFormWithin(silo, path, fields, TestContext.Current.CancellationToken);

    public Task<HttpResponseMessage> PostFormWithin(ClusterSilo silo, string path, (string Name, string Value)[] fields, CancellationToken cancellationToken)
    {
        var all = fields.Select(f => KeyValuePair.Create(f.Name, f.Value)).ToList();
        if (_formToken is not null)
        {
            all.Add(new("__RequestVerificationToken", _formToken));
        }

        return SendAsync(new HttpRequestMessage(HttpMethod.Post, silo.Url(path)) { Content = new FormUrlEncodedContent(all) }, cancellationToken);
    }

    // The whole no-JavaScript sign-in on one silo: ask for a code, read the mail, type the code.
    public async Task SignInAsync(ClusterSilo silo, string email)
    {
        await GetPageAsync(silo, "/signin");
        using var requested = await PostFormAsync(silo, "/signin", ("email", email));
        Assert.Equal(HttpStatusCode.Found, requested.StatusCode);
        await EnterCodeAsync(silo, requested.Headers.Location!.OriginalString, email);
    }

    // A newcomer accepting an invitation link on one silo: address, mail, code.
    public async Task AcceptInvitationAsync(ClusterSilo silo, string invitationPath, string email)
    {
        await GetPageAsync(silo, invitationPath);
        using var accepted = await PostFormAsync(silo, invitationPath, ("email", email));
        Assert.True(accepted.StatusCode == HttpStatusCode.Found, $"Accepting the invitation on {silo} answered {(int)accepted.StatusCode}: {await accepted.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        await EnterCodeAsync(silo, accepted.Headers.Location!.OriginalString, email);
    }

    private async Task EnterCodeAsync(ClusterSilo silo, string codePage, string email)
    {
        await GetPageAsync(silo, codePage);
        var code = await cluster.Outbox.TakeCodeAsync(email);
        using var signedIn = await PostFormAsync(silo, codePage, ("code", code));
        Assert.True(signedIn.StatusCode == HttpStatusCode.Found, $"Entering the code on {silo} answered {(int)signedIn.StatusCode}: {await signedIn.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        Assert.True(IsSignedIn, $"No sign-in cookie from {silo}.");
        Email = email;
    }

    // The official SignalR client over a WebSocket to one silo's hub, as this person.
    public Task<HubWatcher> ConnectHubAsync(ClusterSilo silo) => HubWatcher.ConnectAsync(silo, Cookies);

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken, cancellationToken);
        var cookies = Cookies;
        if (cookies.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}")));
        }

        HttpResponseMessage response;
        using (request)
        {
            response = await cluster.Http.SendAsync(request, linked.Token);
        }

        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            lock (_cookies)
            {
                TestBrowser.ApplySetCookies(_cookies, setCookies);
            }
        }

        if (response.Content.Headers.ContentType?.MediaType == "text/html")
        {
            await response.Content.LoadIntoBufferAsync(linked.Token);
            var html = await response.Content.ReadAsStringAsync(linked.Token);
            if (TokenPattern().Match(html) is { Success: true } match)
            {
                _formToken = WebUtility.HtmlDecode(match.Groups[1].Value);
            }
        }

        return response;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}

// A SignalR connection to one silo's /live hub; the deltas it pushes queue up for NextDeltaAsync.
public sealed class HubWatcher : IAsyncDisposable
{
    private readonly Channel<JsonElement> _deltas = Channel.CreateUnbounded<JsonElement>();

    private HubWatcher(ClusterSilo silo, IReadOnlyDictionary<string, string> cookies)
    {
        Connection = new HubConnectionBuilder()
            .WithUrl(silo.Url(Web.Live.LiveHub.Path), HttpTransportType.WebSockets, options =>
            {
                foreach (var (name, value) in cookies)
                {
                    options.Cookies.Add(silo.Address, new Cookie(name, value));
                }
            })
            .Build();
        Connection.On<JsonElement>(nameof(Web.Live.ILiveClient.Delta), delta => _deltas.Writer.TryWrite(delta));
    }

    public HubConnection Connection { get; }

    public static async Task<HubWatcher> ConnectAsync(ClusterSilo silo, IReadOnlyDictionary<string, string> cookies)
    {
        var watcher = new HubWatcher(silo, cookies);
        try
        {
            await watcher.Connection.StartAsync(TestContext.Current.CancellationToken);
        }
        catch
        {
            await watcher.DisposeAsync();
            throw;
        }

        return watcher;
    }

    public Task<JsonElement> InvokeAsync(string method, params object?[] arguments) =>
        Connection.InvokeCoreAsync<JsonElement>(method, arguments, TestContext.Current.CancellationToken);

    public Task<JsonElement> SubscribeAsync(string topic, long after) =>
        InvokeAsync("Subscribe", new object[] { new[] { new { topic, after } } });

    // The next pushed delta matching the filter; those that do not match are dropped.
    public async Task<JsonElement> NextDeltaAsync(TimeSpan timeout, Func<JsonElement, bool>? matching = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var delta = await _deltas.Reader.ReadAsync(deadline.Token);
                if (matching is null || matching(delta))
                {
                    return delta;
                }
            }
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No matching delta arrived within {timeout}.");
        }
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}

// What a question board page shows, read from its HTML.
public sealed partial record BoardPage(long Sequence, IReadOnlyList<BoardPage.Entry> Questions, bool CanAsk)
{
    public sealed record Entry(string Id, string Text, int Votes, bool VotedByMe);

    public static string Path(string session) => $"/events/{DemoEvent.Slug}/qa/{session}";

    public static BoardPage Parse(string html)
    {
        var sequence = SequencePattern().Match(html);
        Assert.True(sequence.Success, "No question list on the page: " + html);
        var questions = QuestionPattern().Matches(html)
            .Select(m => new Entry(
                m.Groups["id"].Value,
                WebUtility.HtmlDecode(m.Groups["text"].Value).Trim(),
                int.Parse(m.Groups["votes"].Value, CultureInfo.InvariantCulture),
                VotedPattern().IsMatch(m.Groups["rest"].Value)))
            .ToList();
        return new BoardPage(long.Parse(sequence.Groups[1].Value, CultureInfo.InvariantCulture), questions, html.Contains("<form id=\"ask\"", StringComparison.Ordinal));
    }

    public Entry? Find(string id) => Questions.FirstOrDefault(q => q.Id == id);

    [GeneratedRegex("id=\"questions\" data-topic=\"[^\"]+\" data-seq=\"(\\d+)\"")]
    private static partial Regex SequencePattern();

    [GeneratedRegex("<li id=\"(?<id>[^\"]+)\" class=\"question[^\"]*\"[^>]*>\\s*<span class=\"votes\" data-votes=\"[^\"]+\">(?<votes>\\d+)</span>\\s*<div class=\"text\">(?<text>.*?)</div>(?<rest>.*?)</li>", RegexOptions.Singleline)]
    private static partial Regex QuestionPattern();

    // The vote button is pressed once the person voted (Blazor writes a true boolean attribute bare).
    [GeneratedRegex("aria-pressed(?:=\"true\")?[\\s/>]")]
    private static partial Regex VotedPattern();
}
