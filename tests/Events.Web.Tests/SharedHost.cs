using Events.Grains.Catalog;
using Events.Silo;
using Microsoft.Extensions.DependencyInjection;

[assembly: AssemblyFixture(typeof(Events.Web.Tests.RunHost))]

namespace Events.Web.Tests;

// One server for all the tests of a class (xunit runs a class's tests one after another), started
// once: starting a silo, migrating its database and seeding the demo costs more than most tests.
// Each test still works on an event of its own (NewDemoCopyAsync) with people of its own, so no
// test reads another's writes. The rate limits are lifted because every test signs in from the same
// loopback address; the tests of the limits themselves keep a server each.
public class SharedHost : IAsyncLifetime
{
    public SharedHost()
        : this(new Dictionary<string, string>())
    {
    }

    protected SharedHost(IReadOnlyDictionary<string, string> settings, Action<IServiceCollection>? testServices = null)
    {
        var all = new Dictionary<string, string>
        {
            ["RateLimits:SignInRequests"] = "100000",
            ["RateLimits:CodeAttempts"] = "100000",
            ["RateLimits:InvitationAccepts"] = "100000",
            ["RateLimits:SignInRequestsPerPerson"] = "100000",
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        Host = new EventsHost(settings: all) { TestServices = testServices };
    }

    public EventsHost Host { get; }

    public virtual ValueTask InitializeAsync()
    {
        Host.StartServer();
        return ValueTask.CompletedTask;
    }

    // Started before the first test uses it (a no-op once started).
    public virtual Task StartedAsync() => Task.CompletedTask;

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}

// One server for the whole run, for every class whose tests need neither settings nor a database of
// their own: a server per class costs a start-up each and holds one of the run's two test lanes
// while it starts. Their classes run side by side, which is safe because every test works on its
// own copy of the demo event with people of its own (or only reads the demo event itself), and
// none moves the server's clock. Started by the first test that asks, so a run without those
// classes pays nothing.
public class RunHost : SharedHost
{
    private readonly SemaphoreSlim _starting = new(1, 1);
    private bool _started;

    public RunHost()
        : this(new Dictionary<string, string>())
    {
    }

    // A run-wide server with settings of its own, for the few tests of a configuration.
    protected RunHost(IReadOnlyDictionary<string, string> settings)
        : base(settings)
    {
    }

    public override ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public override async Task StartedAsync()
    {
        await _starting.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (!_started)
            {
                Host.StartServer();
                _started = true;
            }
        }
        finally
        {
            _starting.Release();
        }
    }
}

public static class DemoCopies
{
    // A fresh copy of the demo event (same sessions, pitch rooms and organiser) under a slug of its
    // own, for a test that changes what it reads.
    public static async Task<string> NewDemoCopyAsync(this EventsHost host)
    {
        var slug = "demo-" + Guid.NewGuid().ToString("N")[..12];
        Assert.Equal(SeedOutcome.Seeded, await host.Services.GetRequiredService<DemoEvent>().SeedAsync(slug));
        return slug;
    }

    // A browser signed in as a new person holding one role in the event (or none).
    public static async Task<TestBrowser> SignedInAsync(this EventsHost host, string slug, Events.Grains.People.EventRole? role, string domain = "niamey.example.org")
    {
        var browser = new TestBrowser(host);
        var email = $"{role?.ToString().ToLowerInvariant() ?? "nobody"}-{Guid.NewGuid():N}@{domain}";
        if (role is { } granted)
        {
            await host.Grains.GetGrain<Events.Grains.People.IEventAccessGrain>(slug).GrantAsync("test", email, granted, null);
        }

        await browser.SignInAsync(email);
        return browser;
    }
}

// A test class whose tests each work on a fresh copy of the demo event (Slug), on one server the
// class's tests share.
public abstract class DemoCopyTests<THost>(THost shared) : OnDemoCopy(shared), IClassFixture<THost>
    where THost : SharedHost;

// The same on the run's server (RunHost, an assembly fixture).
public abstract class OnDemoCopy(SharedHost shared) : IAsyncLifetime
{
    protected string Slug { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        await shared.StartedAsync();
        Slug = await shared.Host.NewDemoCopyAsync();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
