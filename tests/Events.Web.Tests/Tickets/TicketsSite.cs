using Events.Grains.Agenda;
using Events.Grains.People;
using Events.Grains.Tickets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

[assembly: AssemblyFixture(typeof(Events.Web.Tests.Tickets.TicketsRun))]

namespace Events.Web.Tests.Tickets;

// One site with payments on for the whole run, for the ticket tests that leave the clock and the
// configuration alone: each works on events of its own (NewEventAsync) with people of its own and
// payment ids of its own, so tests side by side never read each other's writes. Started by the
// first test that asks.
public sealed class TicketsRun : IAsyncDisposable
{
    private readonly Lazy<Task<TicketsSite>> _site = new(() => TicketsSite.StartAsync());

    public Task<TicketsSite> SiteAsync() => _site.Value;

    public async ValueTask DisposeAsync()
    {
        if (_site.IsValueCreated)
        {
            await (await _site.Value).DisposeAsync();
        }
    }
}

// A server with Stripe pointed at the local stand-in (or with no Stripe keys at all), and fresh
// events with their own organiser for each test.
public sealed class TicketsSite : IAsyncDisposable
{
    private readonly bool _ownsStripe;

    private TicketsSite(FakeStripe stripe, EventsHost host, bool ownsStripe)
    {
        Stripe = stripe;
        Host = host;
        _ownsStripe = ownsStripe;
        host.Services.GetRequiredService<ILoggerFactory>().AddProvider(Logs);
    }

    public FakeStripe Stripe { get; }

    public EventsHost Host { get; }

    public CapturedLogs Logs { get; } = new();

    public IGrainFactory Grains => Host.Grains;

    // A data folder and a stand-in given: a restart of an earlier site over its database.
    public static async Task<TicketsSite> StartAsync(bool payments = true, string? dataFolder = null, FakeStripe? sharedStripe = null, Action<IServiceCollection>? testServices = null)
    {
        var stripe = sharedStripe ?? await FakeStripe.StartAsync();
        var settings = new Dictionary<string, string>
        {
            ["RateLimits:SignInRequests"] = "100000",
            ["RateLimits:CodeAttempts"] = "100000",
            ["RateLimits:InvitationAccepts"] = "100000",
        };
        if (payments)
        {
            settings["Stripe:SecretKey"] = FakeStripe.SecretKey;
            settings["Stripe:WebhookSecret"] = FakeStripe.WebhookSecret;
            settings["Stripe:ApiBase"] = stripe.BaseUrl;
        }

        var host = new EventsHost(dataFolder, settings) { TestServices = testServices };
        host.StartServer();
        return new TicketsSite(stripe, host, ownsStripe: sharedStripe is null);
    }

    public static string NewEmail(string who) => $"{who}-{Guid.NewGuid():N}@example.org";

    // A new event, starting in a month, whose organiser is returned with its slug.
    public async Task<(string Slug, string Organiser)> NewEventAsync(int? capacity = null)
    {
        var slug = $"tickets-{Guid.NewGuid():N}";
        var organiser = NewEmail("organiser");
        var start = DateTimeOffset.UtcNow.AddDays(30);
        await Grains.GetGrain<IAgendaGrain>(slug).CreateAsync(organiser, new EventDetails(
            "City Pilots Day", "", "Africa/Kampala", start, start.AddHours(6), ["en", "fr", "pt"], EventVisibility.Listed, capacity));
        await Grains.GetGrain<IEventAccessGrain>(slug).GrantAsync(organiser, organiser, EventRole.Organiser, null);
        return (slug, organiser);
    }

    public Task<TicketType> AddTypeAsync(string slug, string organiser, string name, int quantity, long price = 0, TicketAccess access = TicketAccess.Open, string? code = null) =>
        Grains.GetGrain<ITicketOfficeGrain>(slug).SaveTicketTypeAsync(organiser, new TicketTypeInput(
            null, name, price, price == 0 ? null : "eur", quantity, null, null, EventRole.Attendee, access, code, AttendeeMayCancel: true));

    public static (string Name, string Value)[] Registration(string ticketId, string email, string name = "Amina Diallo") =>
    [
        ("ticket", ticketId), ("name", name), ("email", email), ("organisation", "Ville de Bizerte"), ("city", "Bizerte"),
        ("country", "Tunisia"), ("language", "en"), ("accessibility", "Step-free access"), ("directory", "on"),
    ];

    public int MailCount(string to, string subject) => Host.Outbox.ReadAll().Count(m => m.To == to && m.Subject == subject);

    // Polls until the condition holds, for work done by background pumps after a commit.
    public static Task EventuallyAsync(Func<Task<bool>> condition, string what) => Eventually.UntilAsync(what, condition);

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        if (_ownsStripe)
        {
            await Stripe.DisposeAsync();
        }
    }
}
