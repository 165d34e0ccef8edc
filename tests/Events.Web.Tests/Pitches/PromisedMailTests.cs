using Events.Grains.Catalog;
using Events.Grains.Mail;
using Events.Grains.People;
using Events.Grains.Pitches;

namespace Events.Web.Tests.Pitches;

public sealed class PromisedMailTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // The first process cannot send (its SMTP server refuses) and stops with the mail unsent, as a
    // process killed between the acknowledgement and the mail would; the next start sends it, once.
    [Fact]
    public async Task Mail_an_acknowledged_action_promised_is_sent_by_the_next_start_and_only_once()
    {
        var folder = EventsHost.NewDataFolder();
        var slug = $"mail-{Guid.NewGuid():N}"[..20];
        const string Presenter = "presenter@kampala.example.org";
        try
        {
            await using (var broken = new EventsHost(folder, new Dictionary<string, string> { ["Mail:SmtpHost"] = "127.0.0.1", ["Mail:SmtpPort"] = "1" }))
            {
                broken.StartServer();
                await broken.Grains.GetGrain<IEventCatalogGrain>(IEventCatalogGrain.CatalogKey).AddAsync(new EventListing(slug, "Mail test", DateTimeOffset.UtcNow));
                await broken.Grains.GetGrain<IEventAccessGrain>(slug).GrantAsync("organiser@example.org", Presenter, EventRole.Presenter, "Kampala");
                await broken.Grains.GetGrain<IPitchCardsGrain>(slug).SaveAsync(Presenter, "kampala", new PitchCardContent(
                    "Kampala", "Routes", "An app", "Riders", "USD 1", "An operator", null, null, "Joseph Okello", Presenter));
                await broken.Grains.GetGrain<IFollowUpsGrain>(slug).RequestAsync("investor@fund.example.org", "kampala", "Kampala", "s4");
                Assert.Single(await broken.Grains.GetGrain<IMailOutboxGrain>(slug).PendingAsync());
            }

            await using (var next = new EventsHost(folder))
            {
                next.StartServer();
                await next.MailToAsync(Presenter, "An investor asks to meet Kampala");
                var outbox = next.Grains.GetGrain<IMailOutboxGrain>(slug);
                await Eventually.UntilAsync("the sent mail no longer pending", () => outbox.PendingAsync(), pending => pending.Length == 0);
            }

            await using (var third = new EventsHost(folder))
            {
                third.StartServer();
                Assert.Empty(await third.Grains.GetGrain<IMailOutboxGrain>(slug).PendingAsync());
                Assert.Single(third.Outbox.ReadAll(), m => m.To == Presenter);
            }
        }
        finally
        {
            EventsHost.DeleteDataFolder(folder);
        }
    }
}
