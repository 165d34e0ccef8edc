using System.Text.Json;
using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(Events.Web.Tests.Browser.Chromium))]

namespace Events.Web.Tests.Browser;

// Debian's Chromium, headless, driven by Playwright (which must never download a browser of its own).
// One browser for the whole test run (launching one takes seconds); every test opens contexts of
// its own, which share no cookies, storage or service workers.
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private readonly SemaphoreSlim _launching = new(1, 1);
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    // Nothing is launched until a test asks: a run without browser tests (or without Chromium
    // installed) pays nothing, and only the browser tests fail when it is missing.
    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async Task<IBrowser> BrowserAsync()
    {
        await _launching.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (_browser is null)
            {
                Assert.True(File.Exists(ExecutablePath), $"{ExecutablePath} is missing: install Debian's chromium package (.ci/run does).");
                _playwright ??= await Playwright.CreateAsync();
                _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
                {
                    ExecutablePath = ExecutablePath,
                    Headless = true,
                    Args =
                    [
                        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
                    ],
                });
            }

            return _browser;
        }
        finally
        {
            _launching.Release();
        }
    }

    public async Task<IBrowserContext> NewContextAsync(EventsHost host, TestBrowser? signedIn = null, bool javaScript = true, bool bypassCsp = false)
    {
        var context = await (await BrowserAsync()).NewContextAsync(new BrowserNewContextOptions
        {
            JavaScriptEnabled = javaScript,
            BypassCSP = bypassCsp,
            Locale = "en-GB",
        });
        // Generous: on a busy machine a page can take long to load, and only a failure waits this long.
        context.SetDefaultTimeout(120_000);
        if (signedIn is not null)
        {
            await context.AddCookiesAsync(signedIn.Cookies.Select(c => new Cookie
            {
                Name = c.Key,
                Value = c.Value,
                Domain = host.BaseAddress.Host,
                Path = "/",
                HttpOnly = true,
            }));
        }

        return context;
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        _launching.Dispose();
    }
}

// Bytes really transferred, from Chromium's own network events (headers and compressed bodies).
public sealed class TransferLog
{
    private readonly Dictionary<string, (string Url, string Type)> _requests = [];
    private readonly List<(string Url, string Type, long Bytes)> _finished = [];

    public static async Task<TransferLog> AttachAsync(IPage page)
    {
        var log = new TransferLog();
        var session = await page.Context.NewCDPSessionAsync(page);
        session.Event("Network.responseReceived").OnEvent += (_, e) =>
        {
            if (e is { } data)
            {
                lock (log._requests)
                {
                    log._requests[data.GetProperty("requestId").GetString()!] = (data.GetProperty("response").GetProperty("url").GetString()!, data.GetProperty("type").GetString()!);
                }
            }
        };
        session.Event("Network.loadingFinished").OnEvent += (_, e) =>
        {
            if (e is { } data)
            {
                lock (log._requests)
                {
                    if (log._requests.TryGetValue(data.GetProperty("requestId").GetString()!, out var request))
                    {
                        log._finished.Add((request.Url, request.Type, (long)data.GetProperty("encodedDataLength").GetDouble()));
                    }
                }
            }
        };
        await session.SendAsync("Network.enable");
        log.Session = session;
        return log;
    }

    public ICDPSession Session { get; private set; } = default!;

    public long Bytes(Func<string, string, bool> which)
    {
        lock (_requests)
        {
            return _finished.Where(f => which(f.Url, f.Type)).Sum(f => f.Bytes);
        }
    }

    public void Clear()
    {
        lock (_requests)
        {
            _finished.Clear();
        }
    }

    public string Describe()
    {
        lock (_requests)
        {
            return string.Join("\n", _finished.Select(f => $"{f.Bytes,7} {f.Type,-10} {f.Url}"));
        }
    }

    // 2G as the issue measures it: 35 kbit/s down, 1,300 ms round trip.
    public Task Emulate2GAsync() => Session.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object>
    {
        ["offline"] = false,
        ["latency"] = 1300,
        ["downloadThroughput"] = 35_000 / 8,
        ["uploadThroughput"] = 32_000 / 8,
    });
}
