using System.Net;
using System.Text.RegularExpressions;
using Events.Grains.People;
using Events.Silo;
using Events.Web.Localization;

namespace Events.Web.Tests.Localization;

// In French and Portuguese nothing the product writes is left in English: every page each role
// sees (the event's pages and every page they link to) and the mails sent meanwhile are scanned
// for the English text of the catalogue (the parts of each English string that its translation
// does not share) and for enum names shown raw. The demo event's own content is English and is
// not the product's writing: it is left out by scanning only catalogue text and enum names.
// Both languages on the class's server, on the demo event itself (a server of its own lists no
// other events, so the crawl from "/" stays on the demo's pages); each with people of its own.
public sealed partial class UntranslatedTextTests(SharedHost shared) : IClassFixture<SharedHost>
{
    private const string Slug = DemoEvent.Slug;

    // Shorter English fragments ("Cancel", "Name") are too often words of the demo's content.
    private const int MinimumLength = 14;

    private readonly EventsHost _host = shared.Host;

    // The English fragments whose presence in a page in this language means an untranslated string.
    private static List<(string Key, string Fragment)> EnglishFragments(string language)
    {
        var english = Text.Strings("en");
        var translated = Text.Strings(language);
        var fragments = new List<(string, string)>();
        foreach (var (key, value) in english)
        {
            if (!translated.TryGetValue(key, out var other) || other == value)
            {
                continue;
            }

            foreach (var part in Placeholder().Split(value).Select(p => p.Trim(' ', '.', ',', ':', ';', '(', ')', '·', '"')))
            {
                if (part.Length >= MinimumLength && !other.Contains(part, StringComparison.Ordinal))
                {
                    fragments.Add((key, part));
                }
            }
        }

        return fragments;
    }

    // Words of the demo event's own (English) content that are also enum words ("City Pilots Pitch
    // Day", "Network coordination"), and enum words spelt the same in French ("Tables numérotées").
    private static readonly string[] DemoWords = ["Questions", "open", "City", "Network", "Tables"];

    // Enum members shown through the catalogue (keys "EventRole.Investor", "FollowUpStatus.MeetingHeld"):
    // the member's name (what ToString would show) and its English word, whatever their length,
    // as whole words, where the translation differs.
    private static List<(string Key, string Word)> EnumWords(string language)
    {
        var translated = Text.Strings(language);
        var words = new List<(string, string)>();
        foreach (var (key, value) in Text.Strings("en"))
        {
            if (EnumKey().Match(key) is not { Success: true } match || translated[key] == value)
            {
                continue;
            }

            words.Add((key, match.Groups["member"].Value));
            if (!value.Contains(' ', StringComparison.Ordinal) && !translated[key].Contains(value, StringComparison.Ordinal))
            {
                words.Add((key, value));
            }
        }

        return [.. words.Distinct().Where(w => !DemoWords.Contains(w.Item2))];
    }

    private static string VisibleText(string html)
    {
        var withoutCode = CodeBlocks().Replace(html, " ");
        var attributes = string.Join(" ", ReadableAttribute().Matches(withoutCode).Select(m => m.Groups[1].Value));
        return WebUtility.HtmlDecode(Whitespace().Replace(Tag().Replace(withoutCode, " ") + " " + attributes, " "));
    }

    private static IEnumerable<string> Findings(string where, string text, List<(string Key, string Fragment)> fragments, List<(string Key, string Word)> enumWords, EventRole role) =>
        fragments.Where(f => text.Contains(f.Fragment, StringComparison.Ordinal)).Select(f => $"{role} {where}: \"{f.Fragment}\" ({f.Key}) in \"{Around(text, f.Fragment)}\"")
            .Concat(enumWords.Where(w => Regex.IsMatch(text, $@"\b{Regex.Escape(w.Word)}\b")).Select(w => $"{role} {where}: \"{w.Word}\" ({w.Key}) in \"{Around(text, w.Word)}\""));

    private static string Around(string text, string fragment)
    {
        var at = text.IndexOf(fragment, StringComparison.Ordinal);
        var from = Math.Max(0, at - 40);
        return text[from..Math.Min(text.Length, at + fragment.Length + 40)];
    }

    [Theory]
    [InlineData("fr")]
    [InlineData("pt")]
    public async Task Every_page_each_role_sees_and_every_mail_is_free_of_the_english_catalogue(string language)
    {
        var fragments = EnglishFragments(language);
        var enumWords = EnumWords(language);
        Assert.NotEmpty(fragments);
        var findings = new List<string>();
        var people = new HashSet<string>(StringComparer.Ordinal);
        var access = _host.Grains.GetGrain<IEventAccessGrain>(Slug);
        foreach (var role in new[] { EventRole.Attendee, EventRole.Investor, EventRole.Presenter, EventRole.Moderator, EventRole.Organiser })
        {
            var email = $"{role.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}@example.org";
            people.Add(email);
            await access.GrantAsync("test", email, role, role == EventRole.Presenter ? "Kampala" : null);
            using var browser = new TestBrowser(_host) { AcceptLanguage = language };
            await browser.SignInAsync(email);

            var start = new[] { "/", "/account", "/my/tickets", $"/events/{Slug}", $"/events/{Slug}/qa/s4", $"/events/{Slug}/polls/s4", $"/events/{Slug}/rooms/s4", $"/events/{Slug}/pitches", $"/events/{Slug}/follow-ups" }
                .Concat(role == EventRole.Organiser ? [$"/events/{Slug}/manage"] : []);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var queue = new Queue<string>(start);
            while (queue.TryDequeue(out var page) && seen.Count < 80)
            {
                if (!seen.Add(page))
                {
                    continue;
                }

                using var response = await browser.GetAsync(page);
                if (response.StatusCode != HttpStatusCode.OK || response.Content.Headers.ContentType?.MediaType != "text/html")
                {
                    continue;
                }

                var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                findings.AddRange(Findings(page, VisibleText(html), fragments, enumWords, role));
                if (start.Contains(page))
                {
                    // Not the language switcher: it would change the language the rest is read in.
                    foreach (var link in Link().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).Where(l => !l.StartsWith("/language", StringComparison.Ordinal)))
                    {
                        queue.Enqueue(link);
                    }
                }
            }
        }

        // An invitation accepted by a newcomer in this language: its mail names the role.
        var created = await access.CreateInvitationAsync(DemoEvent.OrganiserEmail, new InvitationRequest(EventRole.Investor, null, TimeSpan.FromDays(3), 1));
        using (var newcomer = new TestBrowser(_host) { AcceptLanguage = language })
        {
            var path = $"/invite/{Slug}/{Uri.EscapeDataString(created.Token)}";
            await newcomer.GetPageAsync(path);
            var newcomerEmail = $"newcomer-{Guid.NewGuid():N}@example.org";
            people.Add(newcomerEmail);
            using (await newcomer.PostFormAsync(path, ("email", newcomerEmail)))
            {
            }
        }

        foreach (var mail in _host.Outbox.ReadAll())
        {
            if (people.Contains(mail.To))
            {
                findings.AddRange(Findings($"mail \"{mail.Subject}\" to {mail.To}", mail.Subject + "\n" + mail.Body, fragments, enumWords, EventRole.None));
            }
        }

        Assert.True(findings.Count == 0, string.Join("\n", findings.Distinct()));
    }

    [GeneratedRegex(@"^[A-Z][A-Za-z]+\.(?<member>[A-Z][A-Za-z]+)$")]
    private static partial Regex EnumKey();

    [GeneratedRegex(@"\{\d+(:[^}]*)?\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"<(script|style|template)\b.*?</\1>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex CodeBlocks();

    [GeneratedRegex(@"\b(?:aria-label|placeholder|title|alt)=""([^""]*)""")]
    private static partial Regex ReadableAttribute();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tag();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex("<a [^>]*href=\"(/[^\"#]*)[^\"]*\"")]
    private static partial Regex Link();
}
