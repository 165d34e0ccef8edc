using System.Net;
using Events.Grains.Agenda;
using Events.Grains.Journal;
using Events.Grains.People;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Web.Tests.Audit;

// The audit trail keeps what happened (a kind and its arguments) and the page words it in the
// reader's language and time zone; entries stored as English sentences by earlier versions are
// shown as they were stored (issue 15, items 3 and 19).
public sealed class AuditPageTests(RunHost run) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2027, 3, 31, 9, 0, 0, TimeSpan.Zero);

    // The run's server; every test works on events of its own.
    private readonly EventsHost _host = run.Host;

    public ValueTask InitializeAsync() => new(run.StartedAsync());

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    // A fresh event whose trail already holds a row in the format of versions that stored sentences.
    private async Task<(string Slug, string Organiser)> EventWithAnOldEntryAsync()
    {
        var slug = $"audit-{Guid.NewGuid():N}";
        const string oldRow = """{"$type":"audit-recorded","entry":{"at":"2026-11-20T10:00:00+00:00","actor":"old@example.org","action":"granted Investor to early@example.org","source":"event-access"}}""";
        await _host.Services.GetRequiredService<IJournalStore>().AppendAsync(new JournalKey("audit", slug), [new StoredEvent(1, oldRow, DateTimeOffset.Parse("2026-11-20T10:00:00+00:00", System.Globalization.CultureInfo.InvariantCulture))], null, TestContext.Current.CancellationToken);

        var organiser = $"organiser-{Guid.NewGuid():N}@example.org";
        await _host.Grains.GetGrain<IAgendaGrain>(slug).CreateAsync(organiser, new EventDetails(
            "Kumasi pitch day", "", "Africa/Kampala", Start, Start.AddHours(8), ["en", "fr", "pt"], EventVisibility.Listed, null));
        await _host.Grains.GetGrain<IEventAccessGrain>(slug).GrantAsync(organiser, organiser, EventRole.Organiser, null);
        return (slug, organiser);
    }

    private async Task<string> AuditPageAsync(string slug, string organiser, string language, string? zone = null)
    {
        using var browser = new TestBrowser(_host) { AcceptLanguage = language };
        await browser.SignInAsync(organiser);
        if (zone is not null)
        {
            using var chosen = await browser.GetAsync($"/timezone?tz={Uri.EscapeDataString(zone)}&returnUrl=/");
        }

        return WebUtility.HtmlDecode(await browser.GetPageAsync($"/events/{slug}/audit"));
    }

    [Theory]
    [InlineData("en", "When (Africa/Kampala)", "set the event's details (Kumasi pitch day, 2027-03-31 12:00, Listed on the home page, no capacity limit)", "granted Organiser to ")]
    [InlineData("fr", "Quand (Africa/Kampala)", "a défini les détails de l'événement (Kumasi pitch day, 2027-03-31 12:00, Affiché sur la page d’accueil, sans limite de places)", "a attribué le rôle Organisateur à ")]
    [InlineData("pt", "Quando (Africa/Kampala)", "definiu os detalhes do evento (Kumasi pitch day, 2027-03-31 12:00, Listado na página inicial, sem limite de lugares)", "atribuiu o papel Organizador a ")]
    public async Task Entries_are_worded_in_the_readers_language_with_times_in_the_events_zone_and_old_sentences_still_show(string language, string header, string details, string granted)
    {
        var (slug, organiser) = await EventWithAnOldEntryAsync();

        var page = await AuditPageAsync(slug, organiser, language);

        Assert.Contains(header, page);
        Assert.Contains(details, page);
        Assert.Contains(granted + organiser, page);
        // Stored by an earlier version as an English sentence: shown as stored, at its time in the zone.
        Assert.Contains("granted Investor to early@example.org", page);
        Assert.Contains("2026-11-20 13:00", page);
    }

    [Fact]
    public async Task Times_follow_the_zone_the_reader_chose()
    {
        var (slug, organiser) = await EventWithAnOldEntryAsync();

        var page = await AuditPageAsync(slug, organiser, "fr", zone: "America/Sao_Paulo");

        Assert.Contains("Quand (America/Sao_Paulo)", page);
        Assert.Contains("(Kumasi pitch day, 2027-03-31 06:00,", page);
        Assert.Contains("2026-11-20 07:00", page);
    }
}
