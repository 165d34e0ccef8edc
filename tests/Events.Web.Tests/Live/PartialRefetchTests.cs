using System.Net;
using System.Text.RegularExpressions;
using Events.Grains.Agenda;
using Events.Grains.Questions;
using Events.Silo;

namespace Events.Web.Tests.Live;

// A region refetch that names the rendering the page shows (since, view) gets only what changed
// since in full; everything else comes as an empty placeholder the page fills from what it has.
// On 2G this is what an agenda change or a new question costs an attendee.
public sealed partial class PartialRefetchTests(RunHost run) : OnDemoCopy(run)
{
    private readonly EventsHost _host = run.Host;

    private IAgendaGrain Agenda => _host.Grains.GetGrain<IAgendaGrain>(Slug);

    [GeneratedRegex("""data-view="([^"]+)" """)]
    private static partial Regex ViewOf();

    internal static string View(string html) => ViewOf().Match(html) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException("No data-view on the region.");

    private static string[] Kept(string html) => [.. Regex.Matches(html, """<li id="([^"]+)" data-keep>""").Select(m => m.Groups[1].Value)];

    private async Task<string> GetAsync(string path, string language = "en")
    {
        using var client = _host.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.AcceptLanguage.ParseAdd(language);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task After_one_session_changes_the_agenda_refetch_carries_that_session_and_its_change_line_in_full_and_the_rest_as_placeholders()
    {
        var before = (await Agenda.GetAsync())!;
        var view = View(await GetAsync($"/events/{Slug}/sessions"));
        var changed = before.Sessions[1];
        await Agenda.ChangeSessionAsync("moderator@example.org", new SessionChange(changed.Id, AgendaChangeKind.Delayed, 15));

        var partial = await GetAsync($"/events/{Slug}/sessions?since={before.Version}&view={view}");

        Assert.Contains(changed.Title, partial);
        Assert.Contains($"""<li id="{changed.Id}" data-status""", partial);
        Assert.Equal(before.Sessions.Where(s => s.Id != changed.Id).Select(s => s.Id).Order(), Kept(partial).Where(id => !id.StartsWith("change-", StringComparison.Ordinal)).Order());
        Assert.Equal(before.Changes.Length, Kept(partial).Count(id => id.StartsWith("change-", StringComparison.Ordinal)));
        Assert.Contains("15", partial);
        Assert.DoesNotContain(before.Sessions[0].Title, partial[partial.IndexOf("<ol class=\"sessions\"", StringComparison.Ordinal)..]);

        // A second change to the same session after that rendering: still only that one in full.
        var second = (await Agenda.GetAsync())!.Version;
        await Agenda.ChangeSessionAsync("moderator@example.org", new SessionChange(changed.Id, AgendaChangeKind.Delayed, 5));
        var again = await GetAsync($"/events/{Slug}/sessions?since={second}&view={view}");
        Assert.Equal(before.Sessions.Length - 1, Kept(again).Count(id => !id.StartsWith("change-", StringComparison.Ordinal)));
        Assert.Equal(before.Changes.Length + 1, Kept(again).Count(id => id.StartsWith("change-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_refetch_that_names_another_view_or_a_sequence_the_agenda_has_not_reached_gets_the_whole_region()
    {
        var agenda = (await Agenda.GetAsync())!;
        var view = View(await GetAsync($"/events/{Slug}/sessions"));

        Assert.NotEmpty(Kept(await GetAsync($"/events/{Slug}/sessions?since={agenda.Version}&view={view}")));
        Assert.Empty(Kept(await GetAsync($"/events/{Slug}/sessions?since={agenda.Version}&view=someone-else")));
        Assert.Empty(Kept(await GetAsync($"/events/{Slug}/sessions?since={agenda.Version + 1}&view={view}")));
        // Another language renders every part differently.
        Assert.Empty(Kept(await GetAsync($"/events/{Slug}/sessions?since={agenda.Version}&view={View(await GetAsync($"/events/{Slug}/sessions", "fr"))}")));
        Assert.Empty(Kept(await GetAsync($"/events/{Slug}/sessions?since=abc&view={view}")));
        foreach (var session in agenda.Sessions)
        {
            Assert.Contains(session.Title, await GetAsync($"/events/{Slug}/sessions?since=0&view={view}"));
        }
    }

    [Fact]
    public async Task After_a_new_question_and_a_vote_the_board_refetch_carries_those_two_questions_in_full_and_the_rest_as_placeholders()
    {
        var session = (await Agenda.GetAsync())!.Sessions.First(s => s.Kind == SessionKind.PitchRoom).Id;
        var board = _host.Grains.GetGrain<IQuestionBoardGrain>($"{Slug}/{session}");
        var first = await board.AskAsync(new Asker("a@example.org", "Awa"), "Who pays for the sensors?", false, Guid.NewGuid().ToString("N"));
        var second = await board.AskAsync(new Asker("b@example.org", "Bruno"), "Is the data open?", false, Guid.NewGuid().ToString("N"));
        var third = await board.AskAsync(new Asker("c@example.org", "Chidi"), "How many districts?", false, Guid.NewGuid().ToString("N"));
        var path = $"/events/{Slug}/qa/{session}/live?sort=votes";
        var shown = await GetAsync(path);
        var since = (await board.GetAsync(null, false)).Version;

        var fourth = await board.AskAsync(new Asker("d@example.org", "Dina"), "What did it cost?", false, Guid.NewGuid().ToString("N"));
        await board.VoteAsync("e@example.org", second.Id, true);
        var partial = await GetAsync($"{path}&since={since}&view={View(shown)}");

        Assert.Equal([first.Id, third.Id], Kept(partial).Order());
        Assert.Contains("What did it cost?", partial);
        Assert.Contains("Is the data open?", partial);
        Assert.DoesNotContain("Who pays for the sensors?", partial);
        // The order is the board's order now: the voted question first.
        Assert.True(partial.IndexOf($"id=\"{second.Id}\"", StringComparison.Ordinal) < partial.IndexOf($"id=\"{first.Id}\"", StringComparison.Ordinal));
        Assert.NotEqual(fourth.Id, first.Id);
    }

    // Every refetch pays its headers again on 2G: those only a document uses stay off.
    [Fact]
    public async Task A_region_fetched_by_a_live_page_carries_no_document_headers_and_the_document_keeps_them()
    {
        using var client = _host.CreateHttpClient();
        using var fetch = new HttpRequestMessage(HttpMethod.Get, $"/events/{Slug}/sessions");
        fetch.Headers.Add("Sec-Fetch-Dest", "empty");
        using var region = await client.SendAsync(fetch, TestContext.Current.CancellationToken);
        using var document = await client.GetAsync($"/events/{Slug}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, region.StatusCode);
        string[] documentOnly = ["Server", "blazor-enhanced-nav", "Offline-Owner", "Content-Security-Policy", "X-Frame-Options", "Referrer-Policy"];
        Assert.Equal([], documentOnly.Where(region.Headers.Contains));
        Assert.Equal(["Offline-Owner", "Content-Security-Policy", "X-Frame-Options", "Referrer-Policy"], documentOnly.Where(document.Headers.Contains));
    }
}
