using System.Diagnostics;
using System.Net;
using Events.Grains.Agenda;
using Events.Grains.People;
using Events.Grains.Questions;
using Events.Silo;
using Events.Web.Tests.Live;
using Microsoft.AspNetCore.SignalR;

namespace Events.Web.Tests.Questions;

public sealed class QuestionBoardTests(RunHost run) : OnDemoCopy(run)
{
    private readonly EventsHost _host = run.Host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<string> SessionIdAsync() =>
        (await _host.Grains.GetGrain<IAgendaGrain>(Slug).GetAsync())!.Sessions.Single(s => s.Title.StartsWith("Pitch room A", StringComparison.Ordinal)).Id;

    private async Task<IQuestionBoardGrain> BoardAsync() => _host.Grains.GetGrain<IQuestionBoardGrain>($"{Slug}/{await SessionIdAsync()}");

    private async Task<string> PageAsync() => $"/events/{Slug}/qa/{await SessionIdAsync()}";

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

    private static Asker Person(string name) => new($"{name.ToLowerInvariant()}@example.org", name);

    [Fact]
    public async Task Fifty_concurrent_votes_by_one_person_count_once_and_removing_works_once()
    {
        var board = await BoardAsync();
        var question = await board.AskAsync(Person("Asker"), "How was the pilot funded?", false, "k1");

        var counts = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => board.VoteAsync("voter@example.org", question.Id, true), Ct)));
        var versionBeforeRemoval = (await board.GetAsync(null, false)).Version;
        var removed = await board.VoteAsync("voter@example.org", question.Id, false);
        var removedAgain = await board.VoteAsync("voter@example.org", question.Id, false);

        Assert.All(counts, c => Assert.Equal(1, c));
        Assert.Equal((0, 0), (removed, removedAgain));
        Assert.Equal(versionBeforeRemoval + 1, (await board.GetAsync(null, false)).Version);
    }

    [Fact]
    public async Task Under_pre_moderation_a_pending_question_shows_only_to_its_author_and_a_dismissed_one_only_to_its_author()
    {
        var page = await PageAsync();
        using var moderator = await AsAsync(EventRole.Moderator, "Moderator");
        await moderator.GetPageAsync(page);
        using var mode = await moderator.PostFormAsync($"{page}/mode", ("preModerated", "true"));
        using var author = await AsAsync(EventRole.Attendee, "Author");
        using var other = await AsAsync(EventRole.Attendee, "Other");
        await author.GetPageAsync(page);
        using var asked = await author.PostFormAsync($"{page}/questions", ("text", "Is the land register open data?"), ("idempotencyKey", "pending-1"));
        Assert.Equal(HttpStatusCode.Found, asked.StatusCode);

        var mine = WebUtility.HtmlDecode(await author.GetPageAsync(page));
        Assert.Contains("Is the land register open data?", mine);
        Assert.Contains("waiting for approval", mine);
        Assert.DoesNotContain("Is the land register open data?", await other.GetPageAsync(page));
        Assert.DoesNotContain("Is the land register open data?", await new TestBrowser(_host).GetPageAsync(page));
        Assert.Contains("Is the land register open data?", await moderator.GetPageAsync(page));

        var id = asked.Headers.Location!.OriginalString.Split('#')[1];
        using var dismissed = await moderator.PostFormAsync($"{page}/questions/{id}/moderate", ("action", "Dismiss"));
        Assert.Equal(HttpStatusCode.Found, dismissed.StatusCode);
        Assert.Contains("dismissed", WebUtility.HtmlDecode(await author.GetPageAsync(page)));
        Assert.DoesNotContain("Is the land register open data?", await other.GetPageAsync(page));
    }

    [Fact]
    public async Task A_banned_person_cannot_ask_through_forms_or_the_hub()
    {
        var page = await PageAsync();
        using var attendee = await AsAsync(EventRole.Attendee, "Heckler");
        var board = await BoardAsync();
        var first = await board.AskAsync(new Asker(attendee.Email!, "Heckler"), "First question", false, "b1");
        using var moderator = await AsAsync(EventRole.Moderator, "Moderator");
        await moderator.GetPageAsync(page);
        using var banned = await moderator.PostFormAsync($"{page}/questions/{first.Id}/ban");
        Assert.Equal(HttpStatusCode.Found, banned.StatusCode);

        await attendee.GetPageAsync(page);
        using var viaForm = await attendee.PostFormAsync($"{page}/questions", ("text", "Another one"), ("idempotencyKey", "b2"));
        await using var hub = await LiveClient.ConnectAsync(_host, attendee);
        var session = await SessionIdAsync();
        var viaHub = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync("AskQuestion", Slug, session, "Through the hub", false, "b3"));

        Assert.Equal(HttpStatusCode.BadRequest, viaForm.StatusCode);
        Assert.Contains("A moderator has stopped you from asking questions in this event.", WebUtility.HtmlDecode(await viaForm.Content.ReadAsStringAsync(Ct)));
        Assert.Contains("A moderator has stopped you from asking questions in this event.", viaHub.Message);
        Assert.Equal(["First question"], (await board.ExportAsync()).Questions.Select(q => q.Text));
    }

    [Fact]
    public async Task A_burst_of_a_thousand_votes_is_pushed_as_a_few_coalesced_counts_and_the_final_count_is_exact()
    {
        var board = await BoardAsync();
        var question = await board.AskAsync(Person("Popular"), "Who pays for the servers after the pilot?", false, "c1");
        await using var client = await LiveClient.ConnectAsync(_host);
        await client.InvokeAsync("Subscribe", new object[] { new[] { new { topic = $"qa:{Slug}/{await SessionIdAsync()}", after = (await board.GetAsync(null, false)).Version } } });
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => Task.Run(() => board.VoteAsync($"voter{i}@example.org", question.Id, true), Ct)));
        var seconds = clock.Elapsed.TotalSeconds;
        // Until the final count arrives, however busy the machine: no silence is waited for.
        var counts = new List<int>();
        while (counts.Count == 0 || counts[^1] != 1000)
        {
            var delta = await client.NextDeltaAsync(Eventually.DefaultTimeout);
            Assert.Equal("votes", delta.GetProperty("k").GetString());
            counts.Add(delta.GetProperty("d").GetProperty(question.Id).GetInt32());
        }

        // One update per second of the burst, plus the second in which it ended.
        Assert.InRange(counts.Count, 1, (int)Math.Ceiling(seconds) + 2);
        Assert.Equal(1000, counts[^1]);
        Assert.Equal(1000, (await board.GetAsync(null, false)).Questions.Single().Votes);
    }

    [Fact]
    public async Task The_same_question_sent_twice_with_one_idempotency_key_exists_once()
    {
        using var attendee = await AsAsync(EventRole.Attendee, "Resender");
        await using var hub = await LiveClient.ConnectAsync(_host, attendee);
        var session = await SessionIdAsync();

        var first = await hub.InvokeAsync("AskQuestion", Slug, session, "Will the app work offline?", false, "same-key");
        var again = await hub.InvokeAsync("AskQuestion", Slug, session, "Will the app work offline?", false, "same-key");

        Assert.Equal(first.GetString(), again.GetString());
        Assert.Single((await (await BoardAsync()).ExportAsync()).Questions);
    }

    [Fact]
    public async Task An_anonymous_askers_name_appears_in_no_page_export_or_hub_message_attendees_see()
    {
        var page = await PageAsync();
        using var watcher = await AsAsync(EventRole.Attendee, "Watcher");
        await using var hub = await LiveClient.ConnectAsync(_host, watcher);
        await hub.InvokeAsync("Subscribe", new object[] { new[] { new { topic = $"qa:{Slug}/{await SessionIdAsync()}", after = 0 } } });
        using var shy = await AsAsync(EventRole.Attendee, "Zainabou");
        await shy.GetPageAsync(page);
        using var asked = await shy.PostFormAsync($"{page}/questions", ("text", "What did the pilot cost per household?"), ("anonymous", "true"), ("idempotencyKey", "anon-1"));
        var id = asked.Headers.Location!.OriginalString.Split('#')[1];
        await (await BoardAsync()).VoteAsync("someone@example.org", id, true);
        // The question's delta, then the vote's (coalesced, so up to a second later): every message
        // about this question has reached the hub client before the privacy checks below.
        while ((await hub.NextDeltaAsync(Eventually.DefaultTimeout)).GetProperty("k").GetString() != "votes")
        {
        }

        var seenByAttendee = await watcher.GetPageAsync(page) + await watcher.GetPageAsync($"{page}/live") + await watcher.GetPageAsync($"{page}/projector") + await watcher.GetPageAsync($"{page}/projector/live");
        Assert.Contains("What did the pilot cost per household?", seenByAttendee);
        Assert.Contains("Anonymous", seenByAttendee);
        Assert.DoesNotContain("Zainabou", seenByAttendee, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(shy.Email!, seenByAttendee, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Zainabou", hub.ReceivedText, StringComparison.OrdinalIgnoreCase);

        using var organiser = new TestBrowser(_host);
        await organiser.SignInAsync(DemoEvent.OrganiserEmail);
        using var export = await organiser.GetAsync($"{page}/export.csv");
        var csv = await export.Content.ReadAsStringAsync(Ct);
        Assert.Contains("\"What did the pilot cost per household?\",1,visible,", csv);
        Assert.DoesNotContain("Zainabou", csv, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Zainabou", await organiser.GetPageAsync(page));
    }

    [Fact]
    public async Task A_refused_question_answers_the_board_again_in_french_with_what_was_typed()
    {
        var page = await PageAsync();
        using var attendee = await AsAsync(EventRole.Attendee, "Aminata");
        (await attendee.GetAsync("/language/fr")).Dispose();
        await attendee.GetPageAsync(page);
        var typed = "Qui paie les serveurs " + new string('x', 479);

        using var refused = await attendee.PostFormAsync($"{page}/questions", ("text", typed), ("idempotencyKey", "fr-1"));
        var html = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync(Ct));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Une question compte au plus 500 caractères ; celle-ci en a 501.", html);
        Assert.Contains(typed, html);
        Assert.DoesNotContain((await (await BoardAsync()).ExportAsync()).Questions, q => q.Text == typed);
    }

    [Fact]
    public async Task Without_javascript_an_attendee_asks_and_votes_through_forms_that_return_to_the_question()
    {
        var page = await PageAsync();
        using var attendee = await AsAsync(EventRole.Attendee, "Kwame");
        await attendee.GetPageAsync(page);

        using var asked = await attendee.PostFormAsync($"{page}/questions", ("text", "Can *Matola* reuse the code?"), ("idempotencyKey", "form-1"));
        var id = asked.Headers.Location!.OriginalString.Split('#')[1];
        await attendee.GetPageAsync(page);
        using var voted = await attendee.PostFormAsync($"{page}/questions/{id}/vote", ("up", "true"));
        using var empty = await attendee.PostFormAsync($"{page}/questions", ("text", "   "), ("idempotencyKey", "form-2"));
        var html = await attendee.GetPageAsync(page);

        Assert.Equal($"{page}#{id}", asked.Headers.Location!.OriginalString);
        Assert.Equal($"{page}#{id}", voted.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("Write your question first: it is empty.", await empty.Content.ReadAsStringAsync(Ct));
        Assert.Contains("Can <em>Matola</em> reuse the code?", html);
        Assert.Contains($"<span class=\"votes\" data-votes=\"{id}\">1</span>", html);
        Assert.Contains("Remove my vote", html);
    }

    [Fact]
    public async Task Without_javascript_the_vote_button_removes_a_vote_as_it_says()
    {
        var page = await PageAsync();
        using var attendee = await AsAsync(EventRole.Attendee, "Zanele");
        await attendee.GetPageAsync(page);
        using var asked = await attendee.PostFormAsync($"{page}/questions", ("text", "Who maintains the route data?"), ("idempotencyKey", "form-3"));
        var id = asked.Headers.Location!.OriginalString.Split('#')[1];

        // Press the button twice, posting exactly what the page's form carries each time.
        foreach (var expected in new[] { 1, 0 })
        {
            var html = await attendee.GetPageAsync(page);
            var form = System.Text.RegularExpressions.Regex.Match(html, $"action=\"{page}/questions/{id}/vote\".*?</form>", System.Text.RegularExpressions.RegexOptions.Singleline).Value;
            var up = System.Text.RegularExpressions.Regex.Match(form, "name=\"up\" value=\"(true|false)\"").Groups[1].Value;
            using var pressed = await attendee.PostFormAsync($"{page}/questions/{id}/vote", ("up", up));
            Assert.Equal(HttpStatusCode.Found, pressed.StatusCode);
            Assert.Contains($"<span class=\"votes\" data-votes=\"{id}\">{expected}</span>", await attendee.GetPageAsync(page));
        }
    }
}
