using System.Collections.Concurrent;
using System.Net;
using Events.Grains.People;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Web.Tests.Security;

// Who is asking is worked out once per request (and once per hub call), however many checks and
// controls a page has: a page with many controls must not cost the grains one call per control.
public sealed class ViewerTests(ViewerTests.CountingHost shared, ITestOutputHelper output) : DemoCopyTests<ViewerTests.CountingHost>(shared)
{
    // Measured with the viewer: the organiser's agenda page makes 5 grain calls (the session check,
    // the page's 3 reads, 1 for the roles), the investor's pitch page 7 (the session, the page's 4
    // reads, the roles, the site's organisers). Before it they made 6 and 12: every check and control
    // asked the event's membership again (2 and 5 times) and the site's organisers (0 and 2 times).
    private const int AgendaPageCalls = 5;
    private const int PitchPageCalls = 7;

    private readonly GrainCallCounter _counter = shared.Counter;
    private readonly EventsHost _host = shared.Host;
    private readonly ITestOutputHelper _output = output;

    // One server for the class, counting the grain calls made while it answers one watched path
    // (each test watches a path of its own event, and the class's tests run one at a time).
    public sealed class CountingHost : SharedHost
    {
        public CountingHost()
            : this(new GrainCallCounter())
        {
        }

        private CountingHost(GrainCallCounter counter)
            : base(new Dictionary<string, string>(), services =>
            {
                services.AddSingleton<Orleans.IOutgoingGrainCallFilter>(counter);
                services.AddSingleton<IStartupFilter>(counter);
            })
        {
            Counter = counter;
        }

        internal GrainCallCounter Counter { get; }
    }

    private Task<TestBrowser> SignedInAsync(EventRole? role) => _host.SignedInAsync(Slug, role, "bizerte.example.org");

    [Fact]
    public async Task An_organisers_agenda_page_asks_for_their_roles_once()
    {
        using var organiser = await SignedInAsync(EventRole.Organiser);

        var calls = await _counter.CountAsync($"/events/{Slug}", () => organiser.GetPageAsync($"/events/{Slug}"));
        _output.WriteLine($"{calls.Count} grain calls: {string.Join(", ", calls)}");

        Assert.True(calls.Count(c => c == "IEventAccessGrain.GetMembershipAsync") == 1, $"{calls.Count} grain calls: {string.Join(", ", calls)}");
        Assert.True(calls.Count <= AgendaPageCalls, $"{calls.Count} grain calls: {string.Join(", ", calls)}");
    }

    [Fact]
    public async Task An_investors_pitch_page_asks_for_their_roles_once()
    {
        using var investor = await SignedInAsync(EventRole.Investor);
        var path = $"/events/{Slug}/rooms/s4/pitches/kampala";

        var calls = await _counter.CountAsync(path, () => investor.GetPageAsync(path));
        _output.WriteLine($"{calls.Count} grain calls: {string.Join(", ", calls)}");

        Assert.True(calls.Count(c => c == "IEventAccessGrain.GetMembershipAsync") == 1, $"{calls.Count} grain calls: {string.Join(", ", calls)}");
        Assert.True(calls.Count(c => c == "ISiteGrain.IsOrganiserAsync") <= 1, string.Join(", ", calls));
        Assert.True(calls.Count <= PitchPageCalls, $"{calls.Count} grain calls: {string.Join(", ", calls)}");
    }

    [Fact]
    public async Task A_role_granted_between_two_hub_calls_on_one_connection_counts_on_the_second()
    {
        using var person = await SignedInAsync(null);
        await using var client = await Live.LiveClient.ConnectAsync(_host, person);

        var refused = await Assert.ThrowsAsync<HubException>(() => client.InvokeAsync("PostAnnouncement", Slug, "before", null, "k-before"));
        Assert.Contains("unauthorized", refused.Message, StringComparison.OrdinalIgnoreCase);

        await _host.Grains.GetGrain<IEventAccessGrain>(Slug).GrantAsync("test", person.Email!, EventRole.Moderator, null);
        await client.InvokeAsync("PostAnnouncement", Slug, "after", null, "k-after");

        var active = await _host.Grains.GetGrain<Events.Grains.Announcements.IAnnouncementsGrain>(Slug).GetActiveAsync();
        Assert.Equal(["after"], active.Active.Select(a => a.Markdown));
    }

    [Fact]
    public async Task A_role_withdrawn_between_two_hub_calls_on_one_connection_is_refused_on_the_second()
    {
        using var investor = await SignedInAsync(EventRole.Investor);
        await using var client = await Live.LiveClient.ConnectAsync(_host, investor);

        // Allowed: the method may still refuse the empty scorecard for its own reasons.
        var first = await RefusalOf(() => client.InvokeAsync("ScorePitch", Slug, "s4", "kampala", null, null, null, "Pass", false, "k1"));
        Assert.DoesNotContain("unauthorized", first ?? "", StringComparison.OrdinalIgnoreCase);

        await _host.Grains.GetGrain<IEventAccessGrain>(Slug).RevokeAsync("test", investor.Email!, EventRole.Investor);

        var second = await RefusalOf(() => client.InvokeAsync("ScorePitch", Slug, "s4", "kampala", null, null, null, "Pass", false, "k2"));
        Assert.Contains("unauthorized", second ?? "allowed", StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_site_organiser_may_create_events_and_an_event_organiser_may_not()
    {
        using var organiser = await SignedInAsync(EventRole.Organiser);
        using var site = new TestBrowser(_host);
        var email = $"site-{Guid.NewGuid():N}@matola.example.org";
        await _host.Grains.GetGrain<ISiteGrain>(ISiteGrain.Key).AddOrganiserAsync(email);
        await site.SignInAsync(email);

        using var refused = await organiser.GetAsync("/events/new");
        using var allowed = await site.GetAsync("/events/new");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    private static async Task<string?> RefusalOf(Func<Task> call)
    {
        try
        {
            await call();
            return null;
        }
        catch (HubException ex)
        {
            return ex.Message;
        }
    }

    // Counts the grain calls made while the server answers one watched path (Interface.Method each).
    internal sealed class GrainCallCounter : Orleans.IOutgoingGrainCallFilter, IStartupFilter
    {
        private static readonly AsyncLocal<ConcurrentQueue<string>?> Current = new();
        private volatile string? _watched;
        private ConcurrentQueue<string> _calls = new();

        public async Task<IReadOnlyList<string>> CountAsync(string path, Func<Task> request)
        {
            _calls = new ConcurrentQueue<string>();
            _watched = path;
            try
            {
                await request();
            }
            finally
            {
                _watched = null;
            }

            return [.. _calls];
        }

        public Task Invoke(Orleans.IOutgoingGrainCallContext context)
        {
            Current.Value?.Enqueue($"{context.InterfaceName.Split('.', '+').Last()}.{context.MethodName}");
            return context.Invoke();
        }

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (HttpContext http, RequestDelegate following) =>
            {
                if (_watched is { } watched && http.Request.Path == watched)
                {
                    Current.Value = _calls;
                }

                await following(http);
            });
            next(app);
        };
    }
}
