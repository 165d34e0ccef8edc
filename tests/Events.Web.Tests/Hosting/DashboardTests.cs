using System.Net;
using Events.Grains.People;
using Events.Silo;

[assembly: AssemblyFixture(typeof(Events.Web.Tests.Hosting.DashboardHost))]

namespace Events.Web.Tests.Hosting;

// The run's one server with Orleans' dashboard turned on (the whole server's setting), for the tests
// of the dashboard here and in the browser.
public sealed class DashboardHost() : RunHost(new Dictionary<string, string> { ["Orleans:Dashboard"] = "true" });

// Orleans' dashboard is off unless Orleans:Dashboard is set, and then only site organisers see it.
public sealed class DashboardTests(RunHost run, DashboardHost dashboard)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_dashboard_is_off_by_default()
    {
        await run.StartedAsync();
        var host = run.Host;
        using var organiser = await SiteOrganiserAsync(host);

        using var response = await organiser.GetAsync($"{OrleansSettings.DashboardPath}/");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task When_turned_on_site_organisers_see_the_cluster_and_nobody_else_does()
    {
        await dashboard.StartedAsync();
        var host = dashboard.Host;
        using var anonymous = new TestBrowser(host);
        using var attendee = new TestBrowser(host);
        var attendeeEmail = $"attendee-{Guid.NewGuid():N}@matola.example.org";
        await host.Grains.GetGrain<IEventAccessGrain>(DemoEvent.Slug).GrantAsync("test", attendeeEmail, EventRole.Organiser, null);
        await attendee.SignInAsync(attendeeEmail);
        using var organiser = await SiteOrganiserAsync(host);

        using (var response = await anonymous.GetAsync($"{OrleansSettings.DashboardPath}/"))
        {
            Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        }

        // An event's organiser is not the installation's: the cluster is not theirs to see.
        using (var response = await attendee.GetAsync($"{OrleansSettings.DashboardPath}/"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        using (var response = await organiser.GetAsync($"{OrleansSettings.DashboardPath}/"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("<title>Orleans Dashboard</title>", await response.Content.ReadAsStringAsync(Ct));
        }
    }

    private static async Task<TestBrowser> SiteOrganiserAsync(EventsHost host)
    {
        var email = $"site-{Guid.NewGuid():N}@kumasi.example.org";
        await host.Grains.GetGrain<ISiteGrain>(ISiteGrain.Key).AddOrganiserAsync(email);
        var browser = new TestBrowser(host);
        await browser.SignInAsync(email);
        return browser;
    }
}
