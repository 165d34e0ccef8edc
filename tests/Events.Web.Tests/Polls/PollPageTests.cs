using System.Net;
using Events.Grains.People;
using Events.Grains.Polls;
using Events.Silo;
using Events.Web.Tests.Live;
using Microsoft.AspNetCore.SignalR;

namespace Events.Web.Tests.Polls;

public sealed class PollPageTests(RunHost run) : OnDemoCopy(run)
{
    private const string Session = "s4";
    private string Page => $"/events/{Slug}/polls/{Session}";
    private static readonly TimeSpan Wait = Eventually.DefaultTimeout;

    private readonly EventsHost _host = run.Host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IPollsGrain Polls => _host.Grains.GetGrain<IPollsGrain>($"{Slug}/{Session}");

    private async Task<TestBrowser> AsAsync(EventRole role, string name)
    {
        var browser = new TestBrowser(_host);
        var email = $"{name.ToLowerInvariant()}-{Guid.NewGuid():N}@kumasi.example.org";
        await _host.Grains.GetGrain<IEventAccessGrain>(Slug).GrantAsync("test", email, role, null);
        await browser.SignInAsync(email);
        await browser.GetPageAsync("/account");
        using var saved = await browser.PostFormAsync("/account", ("displayName", name), ("organisation", ""), ("country", ""), ("language", "en"));
        return browser;
    }

    private static string D(System.Text.Json.JsonElement delta, string key) => delta.GetProperty("d").GetProperty(key).GetRawText();

    private static async Task<string> BodyAsync(HttpResponseMessage response) => WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Ct));

    [Fact]
    public async Task Without_javascript_a_moderator_runs_a_poll_and_an_attendee_answers_changes_it_and_is_refused_once_it_closes()
    {
        using var moderator = await AsAsync(EventRole.Moderator, "Moderator");
        using var attendee = await AsAsync(EventRole.Attendee, "Amina");
        await moderator.GetPageAsync(Page);
        using var prepared = await moderator.PostFormAsync(Page, ("question", "Which pilot should we follow up first?"), ("kind", "SingleChoice"),
            ("options", "Kampala e-tax\nBizerte land\nKumasi markets"), ("anonymous", "true"));
        var poll = (await Polls.GetAsync(null, true)).Polls.Single().Poll;
        using var launched = await moderator.PostFormAsync($"{Page}/{poll.Id}/control", ("action", "Launch"));

        var form = await attendee.GetPageAsync(Page);
        var board = WebUtility.HtmlDecode(await attendee.GetPageAsync($"/events/{Slug}/qa/{Session}"));
        using var first = await attendee.PostFormAsync($"{Page}/{poll.Id}/answer", ("choice", "0"), ("idempotencyKey", "form-key-1"));
        await attendee.GetPageAsync(Page);
        using var changed = await attendee.PostFormAsync($"{Page}/{poll.Id}/answer", ("choice", "2"), ("idempotencyKey", "form-key-2"));
        var hidden = await attendee.GetPageAsync(Page);
        await moderator.GetPageAsync(Page);
        using var shown = await moderator.PostFormAsync($"{Page}/{poll.Id}/control", ("action", "ShowResults"));
        using var closed = await moderator.PostFormAsync($"{Page}/{poll.Id}/control", ("action", "Close"));
        await attendee.GetPageAsync(Page);
        using var late = await attendee.PostFormAsync($"{Page}/{poll.Id}/answer", ("choice", "1"), ("idempotencyKey", "form-key-3"));

        Assert.Equal((HttpStatusCode.Found, HttpStatusCode.Found), (prepared.StatusCode, launched.StatusCode));
        Assert.Contains("Which pilot should we follow up first?", form);
        Assert.Contains("Poll open:</strong> Which pilot should we follow up first?", board);
        Assert.Contains("name=\"choice\" value=\"2\"", form);
        Assert.Equal((HttpStatusCode.Found, HttpStatusCode.Found), (first.StatusCode, changed.StatusCode));
        Assert.Contains("Your answer is recorded", hidden);
        Assert.DoesNotContain("data-poll-results", hidden);
        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
        var lateHtml = await BodyAsync(late);
        Assert.Contains("The poll “Which pilot should we follow up first?” is closed: your answer was not recorded.", lateHtml);
        Assert.Contains("Kumasi markets", lateHtml);
        Assert.Contains("1 · 100%", lateHtml);
        var results = (await Polls.GetAsync(null, true)).Polls.Single().Results!;
        Assert.Equal([0, 0, 1], results.Counts);
    }

    [Fact]
    public async Task Attendees_never_learn_who_answered_a_named_poll_while_moderators_and_the_organiser_s_export_do()
    {
        using var moderator = await AsAsync(EventRole.Moderator, "Moderator");
        using var amina = await AsAsync(EventRole.Attendee, "Amina");
        using var other = await AsAsync(EventRole.Attendee, "Kofi");
        using var organiser = new TestBrowser(_host);
        await organiser.SignInAsync(DemoEvent.OrganiserEmail);
        var poll = await Polls.PrepareAsync("m", new PollDraft(PollKind.MultipleChoice, "Which themes matter to your city?", ["Mobility", "E-tax", "Land"], Anonymous: false));
        await Polls.ControlAsync("m", poll.Id, PollControl.Launch);
        await Polls.ControlAsync("m", poll.Id, PollControl.ShowResults);
        await using var watcher = await LiveClient.ConnectAsync(_host, other);
        await watcher.InvokeAsync("Subscribe", new object[] { new[] { new { topic = $"polls:{Slug}/{Session}", after = (await Polls.GetAsync(null, false)).Version } } });

        await amina.GetPageAsync(Page);
        using var answered = await amina.PostFormAsync($"{Page}/{poll.Id}/answer", ("choice-0", "true"), ("choice-2", "true"), ("idempotencyKey", "k-amina"));
        var delta = await watcher.NextDeltaAsync(Wait);
        var otherPage = await other.GetPageAsync(Page);
        var otherRegion = await other.GetPageAsync($"{Page}/live");
        var projector = await new TestBrowser(_host).GetPageAsync($"{Page}/projector");
        using var otherCsv = await other.GetAsync($"{Page}/export.csv");
        var moderatorPage = await moderator.GetPageAsync(Page);
        var csv = await (await organiser.GetAsync($"/events/{Slug}/polls.csv")).Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.Found, answered.StatusCode);
        Assert.Equal("pollcounts", delta.GetProperty("k").GetString());
        Assert.Equal(("1", "1", "0", "1"), (D(delta, poll.Id), D(delta, $"{poll.Id}/0"), D(delta, $"{poll.Id}/1"), D(delta, $"{poll.Id}/2")));
        foreach (var seen in new[] { otherPage, otherRegion, projector, watcher.ReceivedText })
        {
            Assert.DoesNotContain("Amina", seen);
        }

        Assert.Equal(HttpStatusCode.Forbidden, otherCsv.StatusCode);
        Assert.Contains("Amina: Mobility, Land", moderatorPage);
        Assert.Contains("Mobility, Land", csv);
        Assert.Contains("Amina <amina-", csv);
    }

    [Fact]
    public async Task The_same_answer_sent_twice_through_the_hub_counts_once_and_a_five_option_count_push_stays_under_200_bytes()
    {
        using var attendee = await AsAsync(EventRole.Attendee, "Amina");
        var poll = await Polls.PrepareAsync("m", new PollDraft(PollKind.SingleChoice, "Which pilot first?", ["A", "B", "C", "D", "E"], Anonymous: true));
        await Polls.ControlAsync("m", poll.Id, PollControl.Launch);
        await Polls.ControlAsync("m", poll.Id, PollControl.ShowResults);
        await using var watcher = await LiveClient.ConnectAsync(_host);
        await watcher.InvokeAsync("Subscribe", new object[] { new[] { new { topic = $"polls:{Slug}/{Session}", after = (await Polls.GetAsync(null, false)).Version } } });
        await using var client = await LiveClient.ConnectAsync(_host, attendee);
        var bytesBefore = watcher.ReceivedBytes;

        object?[] Answer(string choice) => [Slug, Session, poll.Id, choice, new Dictionary<string, string>(), null, new Dictionary<string, string>(), new Dictionary<string, string>(), null, "hub-key-1"];
        await client.InvokeAsync("AnswerPoll", Answer("3"));
        await client.InvokeAsync("AnswerPoll", Answer("3"));
        var delta = await watcher.NextDeltaAsync(Wait);
        var frameBytes = watcher.ReceivedBytes - bytesBefore;
        var refused = await Assert.ThrowsAsync<HubException>(() => client.InvokeAsync("AnswerPoll", [Slug, Session, poll.Id, "9", null, null, null, null, null, "hub-key-2"]));

        Assert.Equal(("1", "1", "0"), (D(delta, poll.Id), D(delta, $"{poll.Id}/3"), D(delta, $"{poll.Id}/0")));
        Assert.InRange(frameBytes, 1, 200);
        Assert.Contains("Please choose or write an answer.", refused.Message);
        Assert.Equal(1, (await Polls.GetAsync(null, true)).Live!.Respondents);
    }
}
