using System.Net;
using System.Text.RegularExpressions;
using Events.Grains;
using Events.Grains.Agenda;
using Events.Grains.People;
using Events.Silo;
using Events.Web.Localization;

namespace Events.Web.Tests.Localization;

public sealed partial class LanguageTests(RunHost run) : IAsyncLifetime
{
    private readonly EventsHost _host = run.Host;

    public ValueTask InitializeAsync() => new(run.StartedAsync());

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public static TheoryData<string> OtherLanguages => ["fr", "pt"];

    [Theory]
    [MemberData(nameof(OtherLanguages))]
    public void Every_key_exists_in_every_language_with_the_same_placeholders(string language)
    {
        var english = Text.Strings("en");
        var other = Text.Strings(language);

        Assert.Equal(english.Keys.Order(), other.Keys.Order());
        foreach (var (key, text) in english)
        {
            Assert.True(Placeholders(text).SetEquals(Placeholders(other[key])), $"{language} '{key}' has placeholders {string.Join(",", Placeholders(other[key]))}, English has {string.Join(",", Placeholders(text))}");
            Assert.False(string.IsNullOrWhiteSpace(other[key]), $"{language} '{key}' is empty");
        }
    }

    [Fact]
    public void Every_refusal_role_session_kind_and_invitation_state_has_words()
    {
        var english = Text.Strings("en");
        var needed = Enum.GetNames<Problem>().Select(p => $"problem.{p}")
            .Concat(Enum.GetValues<EventRole>().Where(r => r != EventRole.None).Select(r => $"EventRole.{r}"))
            .Concat(Enum.GetNames<SessionKind>().Select(k => $"SessionKind.{k}"))
            .Concat(Enum.GetNames<InvitationStatus>().Select(s => $"invitation.closed.{s}"))
            .Concat(Enum.GetNames<SessionStatus>().Select(s => $"SessionStatus.{s}"))
            .Concat(Enum.GetNames<AgendaChangeKind>().SelectMany(k => new[] { $"AgendaChangeKind.{k}", $"agenda.change.{k}" }))
            .Concat(Enum.GetNames<Events.Grains.Mixer.MixerControl>().Select(c => $"MixerControl.{c}"))
            .Concat(Enum.GetNames<Events.Grains.Mixer.MixerPhase>().Select(p => $"MixerPhase.{p}"))
            .Concat(Enum.GetNames<Events.Grains.Questions.QuestionStatus>().Select(q => $"QuestionStatus.{q}"))
            .Concat(Enum.GetNames<Events.Grains.Questions.ModerationAction>().Select(a => $"ModerationAction.{a}"))
            .Concat(Enum.GetNames<Events.Grains.Pitches.PitchPhase>().Select(p => $"PitchPhase.{p}"))
            .Concat(Enum.GetNames<Events.Grains.Pitches.PitchControl>().Select(c => $"PitchControl.{c}"))
            .Concat(Enum.GetNames<Events.Grains.Pitches.Interest>().Select(i => $"Interest.{i}"))
            .Concat(Enum.GetNames<Events.Grains.Pitches.FollowUpStatus>().SelectMany(s => new[] { $"FollowUpStatus.{s}", $"FollowUpStatus.{s}.action" }));

        var missing = needed.Where(k => !english.ContainsKey(k)).ToList();
        Assert.True(missing.Count == 0, "Missing: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_key_the_source_uses_exists()
    {
        var source = SourceFolder();
        var used = Directory.EnumerateFiles(source, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".razor", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal))
            .SelectMany(f => KeyUse().Matches(File.ReadAllText(f)).Select(m => m.Groups["key"].Value))
            .ToHashSet();

        Assert.True(used.Count > 50, $"only {used.Count} keys found: is the pattern right?");
        var missing = used.Where(k => !Text.Strings("en").ContainsKey(k)).Order().ToList();
        Assert.True(missing.Count == 0, "Missing: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task Accept_language_chooses_french_and_the_switcher_remembers_portuguese_in_a_cookie()
    {
        using var browser = new TestBrowser(_host);

        using var french = await SendAsync(browser, "/signin", "fr-FR,fr;q=0.9,en;q=0.5");
        var frenchHtml = await french.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("<html lang=\"fr\">", frenchHtml);
        Assert.Contains("M&#x27;envoyer un lien", frenchHtml);

        using var switched = await browser.GetAsync("/language/pt?returnUrl=%2Fsignin");
        Assert.Equal(HttpStatusCode.Found, switched.StatusCode);
        Assert.Equal("/signin", switched.Headers.Location!.OriginalString);

        using var portuguese = await SendAsync(browser, "/signin", "fr-FR,fr;q=0.9");
        var portugueseHtml = await portuguese.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("<html lang=\"pt\">", portugueseHtml);
        Assert.Contains("Enviar-me uma ligação", System.Net.WebUtility.HtmlDecode(portugueseHtml));
    }

    [Fact]
    public async Task A_refusal_and_the_sign_in_mail_come_in_the_person_s_language()
    {
        var mayor = $"maire-{Guid.NewGuid():N}@bizerte.example.org";
        using var browser = new TestBrowser(_host);
        await browser.GetAsync("/language/fr");
        await browser.GetPageAsync("/signin");

        using var refused = await browser.PostFormAsync("/signin", ("email", "pas une adresse"));
        using var sent = await browser.PostFormAsync("/signin", ("email", mayor));

        Assert.Contains("n'est pas une adresse e-mail à laquelle nous pouvons écrire", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)));
        var mail = _host.Outbox.ReadAll().Last(m => m.To == mayor);
        Assert.Equal("Connexion à Events", mail.Subject);
        Assert.Contains("Ouvrez ce lien pour vous connecter", mail.Body);
    }

    [Fact]
    public async Task The_agenda_speaks_portuguese_including_session_kinds_and_dates()
    {
        using var browser = new TestBrowser(_host);
        await browser.GetAsync("/language/pt");

        var html = WebUtility.HtmlDecode(await browser.GetPageAsync($"/events/{DemoEvent.Slug}"));

        Assert.Contains("Sala de pitch", html);
        Assert.Contains("quinta-feira 3 dezembro 2026", html);
        Assert.Contains("Avisos", html);
        Assert.Contains("Atualizar a cada minuto", html);
    }

    private static async Task<HttpResponseMessage> SendAsync(TestBrowser browser, string path, string acceptLanguage)
    {
        browser.AcceptLanguage = acceptLanguage;
        return await browser.GetAsync(path);
    }

    private static HashSet<string> Placeholders(string text) => [.. Placeholder().Matches(text).Select(m => m.Value)];

    private static string SourceFolder()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "src", "Events.Web");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("src/Events.Web not found above the test folder.");
    }

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex Placeholder();

    // T["key"], T.Format("key", ...), Text.Get(x, "key"), Text.Format(x, "key", ...), Pages.Message(status, "key", "key", ...).
    [GeneratedRegex(@"(?:T\[|T\.Format\(|Text\.(?:Get|Format)\([^,()]+, |Pages\.Message\([^,]+, (?:""[a-z][a-z0-9.-]*"", )?)""(?<key>[a-z][a-z0-9.-]*)""")]
    private static partial Regex KeyUse();
}
