using System.Net;
using Events.Grains.Catalog;
using Events.Silo;

namespace Events.Web.Tests.Hosting;

public sealed class HostTests(RunHost run) : IAsyncLifetime
{
    // The run's server, which these tests only read (the restart test starts servers of its own).
    private readonly EventsHost _host = run.Host;

    public ValueTask InitializeAsync() => new(run.StartedAsync());

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Healthz_reports_that_storage_answers()
    {
        using var client = _host.CreateHttpClient();

        using var response = await client.GetAsync("/healthz", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task The_shared_stylesheet_is_served()
    {
        using var client = _host.CreateHttpClient();

        using var response = await client.GetAsync("/_content/Events.Web/site.css", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("system-ui", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task A_restarted_host_keeps_its_events_and_does_not_seed_twice()
    {
        var folder = EventsHost.NewDataFolder();
        try
        {
            await using (var first = new EventsHost(folder))
            {
                using var client = first.CreateHttpClient();
                Assert.Contains("City Pilots Pitch Day", await client.GetStringAsync("/", Ct));
            }

            await using var second = new EventsHost(folder);
            using var again = second.CreateHttpClient();

            var listed = await second.Grains.GetGrain<IEventCatalogGrain>(IEventCatalogGrain.CatalogKey).ListAsync();
            Assert.Equal([DemoEvent.Slug], listed.Select(e => e.Slug));
            Assert.Contains("Pitch room B: revenue and land", await again.GetStringAsync($"/events/{DemoEvent.Slug}", Ct));
        }
        finally
        {
            EventsHost.DeleteDataFolder(folder);
        }
    }
}
