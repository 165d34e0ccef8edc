using System.Net;
using Events.Grains.Agenda;
using Events.Grains.People;
using Events.Grains.Questions;
using Events.Silo;

namespace Events.Web.Tests.Security;

// A control character in a form field (a NUL pasted from a broken document, a probe) is refused
// with a page that says what is wrong in the person's language, never "Form expired", and nothing is stored.
public sealed class ControlCharacterTests(RunHost run) : OnDemoCopy(run)
{
    private readonly EventsHost _host = run.Host;

    private async Task<(TestBrowser Browser, string Page, IQuestionBoardGrain Board)> AttendeeOnBoardAsync(string language)
    {
        var session = (await _host.Grains.GetGrain<IAgendaGrain>(Slug).GetAsync())!.Sessions.Single(s => s.Title.StartsWith("Pitch room A", StringComparison.Ordinal)).Id;
        var browser = new TestBrowser(_host) { AcceptLanguage = language };
        var email = $"asker-{Guid.NewGuid():N}@matola.example.org";
        await _host.Grains.GetGrain<IEventAccessGrain>(Slug).GrantAsync("test", email, EventRole.Attendee, null);
        await browser.SignInAsync(email);
        var page = $"/events/{Slug}/qa/{session}";
        await browser.GetPageAsync(page);
        return (browser, page, _host.Grains.GetGrain<IQuestionBoardGrain>($"{Slug}/{session}"));
    }

    [Theory]
    [InlineData("en", "\0", "invisible control character")]
    [InlineData("fr", "\0", "caractère de contrôle")]
    [InlineData("pt", "\u0007", "carácter de controlo")]
    [InlineData("en", "\u001b[31m", "control character")]
    public async Task A_question_with_a_control_character_is_refused_plainly_and_not_stored(string language, string control, string expected)
    {
        var asker = await AttendeeOnBoardAsync(language);
        using var browser = asker.Browser;
        var page = asker.Page;
        IQuestionBoardGrain board = asker.Board;
        var before = (await board.GetAsync(null, true)).Questions.Length;

        using var asked = await browser.PostFormAsync($"{page}/questions", ("text", $"Is the land register{control} open data?"), ("idempotencyKey", Guid.NewGuid().ToString("N")));
        var html = WebUtility.HtmlDecode(await asked.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.BadRequest, asked.StatusCode);
        Assert.Contains(expected, html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("expired", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("expiré", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, (await board.GetAsync(null, true)).Questions.Length);
    }

    [Fact]
    public async Task Any_form_says_so_too_and_a_tab_or_line_break_is_still_fine()
    {
        using var browser = new TestBrowser(_host);
        await browser.GetPageAsync("/signin");
        var email = $"person-{Guid.NewGuid():N}@matola.example.org";

        using var refused = await browser.PostFormAsync("/signin", ("email", email + "\0"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("invisible control character", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.DoesNotContain(_host.Outbox.ReadAll(), m => m.To == email);

        await browser.SignInAsync(email);
        await browser.GetPageAsync("/account");
        using var saved = await browser.PostFormAsync("/account", ("displayName", "Ana\tSilva"), ("organisation", "Matola\r\nCity"), ("country", ""), ("language", "en"));
        Assert.Equal(HttpStatusCode.Found, saved.StatusCode);
    }
}
