using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Events.Grains.Agenda;
using Events.Grains.People;
using Events.Grains.Questions;
using Events.Silo;

namespace Events.Web.Tests.Live;

// A live region refetched over the page's open connection (the hub's Region method) instead of an
// HTTP request: on 2G it saves the request's headers and cookies. What comes back must be exactly
// what the same person's HTTP refetch gives, and nothing a page should not be given that way.
public sealed partial class RegionOverHubTests(RunHost run) : OnDemoCopy(run)
{
    private readonly EventsHost _host = run.Host;

    private IAgendaGrain Agenda => _host.Grains.GetGrain<IAgendaGrain>(Slug);

    // Form tokens are new in every rendering; everything else must match.
    [GeneratedRegex("""name="__RequestVerificationToken" type="hidden" value="[^"]+"|value="[^"]+" name="__RequestVerificationToken"|name="__RequestVerificationToken" value="[^"]+" """)]
    private static partial Regex Token();

    private static string Comparable(string html) => Token().Replace(html, "token");

    private static string Inflated(JsonElement packed)
    {
        Assert.Equal(JsonValueKind.String, packed.ValueKind);
        return Inflated(packed.GetString()!);
    }

    // What the hub's Region answers: the page deflated, in base64.
    internal static string Inflated(string packed)
    {
        using var deflated = new DeflateStream(new MemoryStream(Convert.FromBase64String(packed)), CompressionMode.Decompress);
        using var text = new StreamReader(deflated, Encoding.UTF8);
        return text.ReadToEnd();
    }

    private async Task<TestBrowser> AttendeeAsync()
    {
        var browser = new TestBrowser(_host);
        var email = $"attendee-{Guid.NewGuid():N}@niamey.example.org";
        await _host.Grains.GetGrain<IEventAccessGrain>(Slug).GrantAsync("test", email, EventRole.Attendee, null);
        await browser.SignInAsync(email);
        return browser;
    }

    [Fact]
    public async Task A_signed_in_attendees_board_over_the_connection_is_what_their_http_refetch_gives_with_unchanged_questions_as_placeholders()
    {
        using var browser = await AttendeeAsync();
        var session = (await Agenda.GetAsync())!.Sessions.First(s => s.Kind == SessionKind.PitchRoom).Id;
        var board = _host.Grains.GetGrain<IQuestionBoardGrain>($"{Slug}/{session}");
        await board.AskAsync(new Asker("a@example.org", "Awa"), "Who pays for the sensors?", false, Guid.NewGuid().ToString("N"));
        await board.AskAsync(new Asker("b@example.org", "Bruno"), "Is the data open?", false, Guid.NewGuid().ToString("N"));
        var page = await browser.GetPageAsync($"/events/{Slug}/qa/{session}");
        var since = (await board.GetAsync(null, false)).Version;
        await board.AskAsync(new Asker("c@example.org", "Chidi"), "How many districts?", false, Guid.NewGuid().ToString("N"));
        var url = $"/events/{Slug}/qa/{session}/live?since={since}&view={PartialRefetchTests.View(page)}";
        await using var client = await LiveClient.ConnectAsync(_host, browser);

        var overHub = Inflated(await client.InvokeAsync("Region", url));

        Assert.Equal(Comparable(await browser.GetPageAsync(url)), Comparable(overHub));
        Assert.Equal(2, Regex.Matches(overHub, "data-keep").Count);
        Assert.Contains("How many districts?", overHub);
        // Rendered for the person: the board offers them the vote buttons an anonymous visitor lacks.
        Assert.NotEqual(Comparable(overHub), Comparable(await new TestBrowser(_host).GetPageAsync(url)));
    }

    [Fact]
    public async Task The_agenda_over_the_connection_comes_in_the_language_the_person_chose()
    {
        using var browser = new TestBrowser(_host);
        (await browser.GetAsync("/language/fr")).Dispose();
        await using var client = await LiveClient.ConnectAsync(_host, browser);
        var url = $"/events/{Slug}/sessions";

        var overHub = Inflated(await client.InvokeAsync("Region", url));

        Assert.Contains("lang=\"fr\"", await browser.GetPageAsync($"/events/{Slug}"));
        Assert.Equal(Comparable(await browser.GetPageAsync(url)), Comparable(overHub));
        using var english = new TestBrowser(_host);
        Assert.NotEqual(Comparable(await english.GetPageAsync(url)), Comparable(overHub));
    }

    [Theory]
    [InlineData("https://elsewhere.example/events/city-pilots-pitch-day/sessions")]
    [InlineData("//elsewhere.example/events/city-pilots-pitch-day/sessions")]
    [InlineData("/account")]
    [InlineData("/events/../account")]
    [InlineData("/events/no-such-event/sessions")]
    [InlineData("/events/city-pilots-pitch-day/meetings/live")]
    [InlineData("")]
    public async Task An_address_that_is_not_a_page_of_an_event_this_visitor_may_read_gives_nothing_and_the_page_falls_back_to_http(string url)
    {
        await using var client = await LiveClient.ConnectAsync(_host);

        Assert.Equal(JsonValueKind.Null, (await client.InvokeAsync("Region", url)).ValueKind);
    }

    [Fact]
    public async Task Refetches_over_the_connection_leave_the_allowance_for_the_persons_own_calls_untouched()
    {
        await using var client = await LiveClient.ConnectAsync(_host);
        for (var i = 0; i < Web.Live.HubRateLimitFilter.CallsPerWindow + 10; i++)
        {
            Assert.Contains("data-topic", Inflated(await client.InvokeAsync("Region", $"/events/{Slug}/sessions")));
        }

        var caughtUp = await client.InvokeAsync("Subscribe", new object[] { new[] { new { topic = $"agenda:{Slug}", after = 0L } } });

        Assert.Equal(JsonValueKind.Array, caughtUp.ValueKind);
    }
}
