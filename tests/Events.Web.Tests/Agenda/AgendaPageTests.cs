using System.Net;
using Events.Grains.Agenda;
using Events.Silo;

namespace Events.Web.Tests.Agenda;

// On the run's server: these tests only read the demo event and ask for pages that are not there.
public sealed class AgendaPageTests(RunHost run) : IAsyncLifetime
{
    private readonly EventsHost _host = run.Host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => new(run.StartedAsync());

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task The_seeded_demo_agenda_is_served_over_http_with_markdown_rendered_and_local_times()
    {
        using var client = _host.CreateHttpClient();

        using var response = await client.GetAsync($"/events/{DemoEvent.Slug}", Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<h1>City Pilots Pitch Day</h1>", html);
        Assert.Contains("<strong>honest feedback</strong>", html);
        Assert.Contains("Global Mixer: four pilots in thirty minutes", html);
        Assert.Contains("Pitch room A: mobility and city services", html);
        Assert.Contains("Pitch room B: revenue and land", html);
        // 09:30 in Lagos is 08:30 UTC: the page shows the event's own clock.
        Assert.Contains(">09:30</time>", html);
        Assert.Contains("Thursday 3 December 2026", html);
        // Scripts only from our own files, deferred; never inline.
        Assert.DoesNotMatch("<script(?![^>]*\\bsrc=\"/_content/Events\\.Web/[^\"]+\")", html);
        Assert.Matches("<script defer src=\"/_content/Events\\.Web/lib/signalr\\.min\\.[a-z0-9]+\\.js\">", html);
    }

    [Fact]
    public async Task A_script_tag_in_markdown_is_shown_as_text_and_unsafe_links_are_neutralised()
    {
        using var client = _host.CreateHttpClient();
        var slug = "t" + Guid.NewGuid().ToString("N")[..12];
        var agenda = _host.Grains.GetGrain<IAgendaGrain>(slug);
        await agenda.OpenAsync(new OpenEvent("Injection check", "Hello <script>alert('owned')</script> **world**", "Africa/Kampala"));
        await agenda.ScheduleSessionAsync(new ScheduleSession(
            "Session <b>bold?</b>",
            SessionKind.Talk,
            new DateTimeOffset(2026, 12, 1, 7, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero),
            "[click me](javascript:alert(1)) and <img src=x onerror=alert(2)>",
            []));

        var html = await client.GetStringAsync($"/events/{slug}", Ct);

        Assert.Contains("Hello &lt;script&gt;alert(", html);
        Assert.Contains(")&lt;/script&gt; <strong>world</strong>", html);
        Assert.Contains("<strong>world</strong>", html);
        Assert.DoesNotContain("<script>", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("javascript:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Session &lt;b&gt;bold?&lt;/b&gt;", html);
        Assert.Contains("<a href=\"#\">click me</a>", html);
    }

    [Fact]
    public async Task An_unknown_event_answers_404_with_a_page_that_says_so()
    {
        using var client = _host.CreateHttpClient();

        using var response = await client.GetAsync("/events/no-such-event", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("There is no event at /events/no-such-event.", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task The_home_page_lists_the_demo_event_with_a_link_to_its_agenda()
    {
        using var client = _host.CreateHttpClient();

        var html = await client.GetStringAsync("/", Ct);

        Assert.Contains($"<a href=\"/events/{DemoEvent.Slug}\">City Pilots Pitch Day</a>", html);
    }

    [Fact]
    public async Task An_unknown_address_answers_404_for_anonymous_visitors_rather_than_asking_them_to_sign_in()
    {
        using var client = _host.CreateHttpClient();

        using var response = await client.GetAsync("/no/such/page", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("There is no page at this address.", await response.Content.ReadAsStringAsync(Ct));
    }
}
