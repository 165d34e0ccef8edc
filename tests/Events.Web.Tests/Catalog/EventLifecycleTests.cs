using System.Net;
using Events.Grains.Agenda;
using Events.Grains.Catalog;
using Events.Grains.People;
using Events.Silo;
using Events.Web.Tests.Live;

namespace Events.Web.Tests.Catalog;

// One server for the class: every test creates events under slugs of its own.
public sealed class EventLifecycleTests(SharedHost shared) : IClassFixture<SharedHost>
{
    private static readonly TimeSpan Wait = Eventually.DefaultTimeout;

    private readonly EventsHost _host = shared.Host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewSlug() => "ev-" + Guid.NewGuid().ToString("N")[..10];

    private async Task<TestBrowser> SiteOrganiserAsync()
    {
        var email = $"site-{Guid.NewGuid():N}@example.org";
        await _host.Grains.GetGrain<ISiteGrain>(ISiteGrain.Key).AddOrganiserAsync(email);
        var browser = new TestBrowser(_host);
        await browser.SignInAsync(email);
        return browser;
    }

    private static (string, string)[] Form(string slug, string title = "Digital cities day", string startDate = "2027-03-10", string endDate = "2027-03-10",
        string visibility = "Listed", string capacity = "120") =>
    [
        ("title", title), ("slug", slug), ("description", "Pilots from **Accra** and Kumasi."), ("timezone", "Africa/Accra"),
        ("startdate", startDate), ("starttime", "09:00"), ("enddate", endDate), ("endtime", "17:30"),
        ("languages", "en"), ("languages", "fr"), ("visibility", visibility), ("capacity", capacity),
    ];

    private static async Task<string> BodyAsync(HttpResponseMessage response) => WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Ct));

    [Fact]
    public async Task A_site_organiser_creates_an_event_that_is_listed_on_the_home_page_and_organised_by_them()
    {
        using var organiser = await SiteOrganiserAsync();
        var slug = NewSlug();
        Assert.Contains("/events/new", await organiser.GetPageAsync("/"));
        await organiser.GetPageAsync("/events/new");

        using var created = await organiser.PostFormAsync("/events/new", Form(slug));

        Assert.Equal(HttpStatusCode.Found, created.StatusCode);
        Assert.Equal($"/events/{slug}/manage", created.Headers.Location!.OriginalString);
        var agenda = (await _host.Grains.GetGrain<IAgendaGrain>(slug).GetAsync())!;
        Assert.Equal(("Digital cities day", new DateTimeOffset(2027, 3, 10, 9, 0, 0, TimeSpan.Zero), 120, EventVisibility.Listed), (agenda.Title, agenda.StartsAt!.Value, agenda.Capacity!.Value, agenda.Visibility));
        Assert.Equal(["en", "fr"], agenda.Languages);
        var dashboard = await organiser.GetPageAsync($"/events/{slug}/manage");
        Assert.Contains($"href=\"/events/{slug}/people\"", dashboard);
        Assert.Contains($"href=\"/events/{slug}/audit\"", dashboard);
        Assert.Contains($"href=\"/events/{slug}/scores.csv\"", dashboard);
        var creator = (await _host.Grains.GetGrain<IEventAccessGrain>(slug).ListMembersAsync()).Single();
        Assert.Equal(EventRole.Organiser, creator.Roles);

        using var visitor = new TestBrowser(_host);
        var home = await visitor.GetPageAsync("/");
        Assert.Contains($"<a href=\"/events/{slug}\">Digital cities day</a>", home);
        Assert.DoesNotContain("/events/new", home);
        var page = WebUtility.HtmlDecode(await visitor.GetPageAsync($"/events/{slug}"));
        Assert.Contains("<strong>Accra</strong>", page);
        Assert.Contains("datetime=\"2027-03-10T09:00:00.0000000+00:00\"", page);
    }

    [Fact]
    public async Task A_taken_address_and_bad_input_are_refused_in_the_visitor_s_language_and_nothing_is_stored()
    {
        using var organiser = await SiteOrganiserAsync();
        var slug = NewSlug();
        var catalog = _host.Grains.GetGrain<IEventCatalogGrain>(IEventCatalogGrain.CatalogKey);
        var listedBefore = (await catalog.ListAsync()).Count;
        await organiser.GetPageAsync("/events/new");
        using (var first = await organiser.PostFormAsync("/events/new", Form(slug)))
        {
            Assert.Equal(HttpStatusCode.Found, first.StatusCode);
        }

        using var taken = await organiser.PostFormAsync("/events/new", Form(slug, title: "Someone else's day"));
        using var backwards = await organiser.PostFormAsync("/events/new", Form(NewSlug(), endDate: "2027-03-09"));
        using var hostileSlug = await organiser.PostFormAsync("/events/new", Form("Bad Slug/../x"));
        using var reserved = await organiser.PostFormAsync("/events/new", Form("new"));
        using var hugeTitle = await organiser.PostFormAsync("/events/new", Form(NewSlug(), title: new string('x', 10_000)));
        using var badCapacity = await organiser.PostFormAsync("/events/new", Form(NewSlug(), capacity: "-5"));
        using var farFuture = await organiser.PostFormAsync("/events/new", Form(NewSlug(), startDate: "9999-12-31", endDate: "9999-12-31"));
        await organiser.GetAsync("/language/fr?returnUrl=%2F");
        await organiser.GetPageAsync("/events/new");
        using var french = await organiser.PostFormAsync("/events/new", Form(slug));

        Assert.All(new[] { taken, backwards, hostileSlug, reserved, hugeTitle, badCapacity, farFuture, french }, r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        var takenHtml = await BodyAsync(taken);
        Assert.Contains($"An event with the address '{slug}' exists already.", takenHtml);
        Assert.Contains("value=\"Someone else's day\"", takenHtml);
        Assert.Contains("The event must end after it starts.", await BodyAsync(backwards));
        Assert.Contains("lowercase letters, digits and single hyphens", await BodyAsync(hostileSlug));
        Assert.Contains("lowercase letters, digits and single hyphens", await BodyAsync(reserved));
        Assert.Contains("A title may be at most 200 characters", await BodyAsync(hugeTitle));
        Assert.Contains("Capacity must be empty", await BodyAsync(badCapacity));
        Assert.Contains("existe", await BodyAsync(french));
        Assert.Equal("Digital cities day", (await _host.Grains.GetGrain<IAgendaGrain>(slug).GetAsync())!.Title);
        var listings = await catalog.ListAsync();
        Assert.Single(listings, l => l.Slug == slug);
        Assert.Equal(listedBefore + 1, listings.Count);
    }

    [Fact]
    public async Task An_edit_reaches_an_open_agenda_page_and_moves_the_event_on_the_home_page()
    {
        using var organiser = await SiteOrganiserAsync();
        var slug = NewSlug();
        await organiser.GetPageAsync("/events/new");
        (await organiser.PostFormAsync("/events/new", Form(slug))).Dispose();
        var seq = (await _host.Grains.GetGrain<IAgendaGrain>(slug).GetAsync())!.Version;
        await using var viewer = await LiveClient.ConnectAsync(_host);
        await viewer.InvokeAsync("Subscribe", new object[] { new[] { new { topic = $"agenda:{slug}", after = seq } } });

        await organiser.GetPageAsync($"/events/{slug}/edit");
        using var edited = await organiser.PostFormAsync($"/events/{slug}/edit", Form(slug, title: "Digital cities day (moved)", startDate: "2027-03-11", endDate: "2027-03-12"));

        Assert.Equal(HttpStatusCode.Found, edited.StatusCode);
        var delta = await viewer.NextDeltaAsync(Wait);
        Assert.Equal(("session", seq + 1), (delta.GetProperty("k").GetString(), delta.GetProperty("s").GetInt64()));
        using var visitor = new TestBrowser(_host);
        var region = WebUtility.HtmlDecode(await visitor.GetPageAsync($"/events/{slug}/sessions"));
        Assert.Contains("datetime=\"2027-03-11T09:00:00.0000000+00:00\"", region);
        Assert.Contains("datetime=\"2027-03-12T17:30:00.0000000+00:00\"", region);
        Assert.Contains("Digital cities day (moved)", await visitor.GetPageAsync("/"));
    }

    [Fact]
    public async Task A_cancelled_then_archived_event_says_so_refuses_every_change_and_still_exports()
    {
        using var organiser = await SiteOrganiserAsync();
        var slug = NewSlug();
        await organiser.GetPageAsync("/events/new");
        (await organiser.PostFormAsync("/events/new", Form(slug))).Dispose();
        await organiser.GetPageAsync($"/events/{slug}/manage");

        using var noReason = await organiser.PostFormAsync($"/events/{slug}/cancel", ("reason", "  "));
        using var cancelled = await organiser.PostFormAsync($"/events/{slug}/cancel", ("reason", "The venue flooded; we will announce a new date."));
        using var session = await organiser.PostFormAsync($"/events/{slug}/sessions",
            ("title", "Late addition"), ("kind", "Talk"), ("date", "2027-03-10"), ("start", "10:00"), ("end", "10:30"), ("abstract", ""), ("speakers", ""));
        using var edit = await organiser.PostFormAsync($"/events/{slug}/edit", Form(slug, title: "Back on"));
        using var archived = await organiser.PostFormAsync($"/events/{slug}/archive");
        await using var hub = await LiveClient.ConnectAsync(_host, organiser);
        var announcement = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => hub.InvokeAsync("PostAnnouncement", slug, "We are back", 30, "key-1"));

        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Contains("Please give a reason", await BodyAsync(noReason));
        Assert.Equal(HttpStatusCode.Found, cancelled.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, session.StatusCode);
        Assert.Contains("Nothing was changed", await BodyAsync(session));
        Assert.Equal(HttpStatusCode.Conflict, edit.StatusCode);
        Assert.Equal(HttpStatusCode.Found, archived.StatusCode);
        Assert.Contains("is cancelled or archived", announcement.Message);
        var agenda = (await _host.Grains.GetGrain<IAgendaGrain>(slug).GetAsync())!;
        Assert.Equal((EventStatus.Archived, "Digital cities day", 0), (agenda.Status, agenda.Title, agenda.Sessions.Length));
        using var visitor = new TestBrowser(_host);
        var page = await visitor.GetPageAsync($"/events/{slug}");
        Assert.Contains("Archived", page);
        Assert.Contains("The venue flooded; we will announce a new date.", WebUtility.HtmlDecode(page));
        Assert.Contains("Archived", await visitor.GetPageAsync("/"));
        using var scores = await organiser.GetAsync($"/events/{slug}/scores.csv");
        Assert.Equal(HttpStatusCode.OK, scores.StatusCode);
        var audit = await organiser.GetPageAsync($"/events/{slug}/audit");
        Assert.Contains("cancelled the event", audit);
        Assert.Contains("archived the event", audit);
    }

    [Fact]
    public async Task Private_and_unlisted_events_stay_off_the_home_page_and_a_private_one_shows_strangers_only_its_title()
    {
        using var organiser = await SiteOrganiserAsync();
        var hidden = NewSlug();
        var unlisted = NewSlug();
        await organiser.GetPageAsync("/events/new");
        (await organiser.PostFormAsync("/events/new", Form(hidden, title: "Closed budget clinic", visibility: "Private"))).Dispose();
        (await organiser.PostFormAsync("/events/new", Form(unlisted, title: "Quiet partners' day", visibility: "Unlisted"))).Dispose();

        using var stranger = new TestBrowser(_host);
        var home = await stranger.GetPageAsync("/");
        using var privatePage = await stranger.GetAsync($"/events/{hidden}");
        using var privateCalendar = await stranger.GetAsync($"/events/{hidden}/calendar.ics");
        using var unlistedPage = await stranger.GetAsync($"/events/{unlisted}");

        Assert.DoesNotContain(hidden, home);
        Assert.DoesNotContain(unlisted, home);
        Assert.Equal(HttpStatusCode.Forbidden, privatePage.StatusCode);
        var privateHtml = await BodyAsync(privatePage);
        Assert.Contains("Closed budget clinic", privateHtml);
        Assert.DoesNotContain("Accra", privateHtml);
        Assert.Equal(HttpStatusCode.Forbidden, privateCalendar.StatusCode);
        Assert.Equal(HttpStatusCode.OK, unlistedPage.StatusCode);
        Assert.Contains("<strong>Accra</strong>", await organiser.GetPageAsync($"/events/{hidden}"));
    }

    [Fact]
    public async Task Only_site_organisers_create_events_and_only_an_event_s_organisers_manage_it()
    {
        using var attendee = new TestBrowser(_host);
        await attendee.SignInAsync($"attendee-{Guid.NewGuid():N}@example.org");
        await attendee.GetPageAsync("/signin");
        var slug = NewSlug();

        using var create = await attendee.PostFormAsync("/events/new", Form(slug));
        using var manage = await attendee.GetAsync($"/events/{DemoEvent.Slug}/manage");

        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, manage.StatusCode);
        Assert.Null(await _host.Grains.GetGrain<IAgendaGrain>(slug).GetAsync());
    }
}
