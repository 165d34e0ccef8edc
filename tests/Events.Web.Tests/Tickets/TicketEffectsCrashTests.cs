using Events.Grains.Agenda;
using Events.Grains.Catalog;
using Events.Grains.Journal;
using Events.Grains.Mail;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Events.Web.Tests.Tickets;

// What a committed ticket change promises (a mail, a refund, every ticket cancelled with the event)
// survives a process that dies after the commit: the next start carries it out, once.
public sealed class TicketEffectsCrashTests
{
    // The first process dies after its commits and before any reaction: none of the services that
    // react to committed events runs in it (named, so this test also describes the code before
    // the reactions became durable, when they were pumps of their own).
    private static void WithoutReactions(IServiceCollection services)
    {
        string[] reactors = ["OutboxMailer", "PitchMailer", "TicketMailer", "TicketRefunder"];
        foreach (var descriptor in services.Where(d => d.ServiceType == typeof(IHostedService) && reactors.Contains(d.ImplementationType?.Name)).ToList())
        {
            services.Remove(descriptor);
        }
    }

    [Fact]
    public async Task A_cancellation_committed_before_a_crash_is_mailed_and_refunded_once_after_the_restart_and_a_duplicate_changes_nothing()
    {
        var folder = EventsHost.NewDataFolder();
        await using var stripe = await FakeStripe.StartAsync();
        string slug, payer, guest, orderId;
        const string subject = "City Pilots Day is cancelled";
        try
        {
            await using (var crashed = await TicketsSite.StartAsync(dataFolder: folder, sharedStripe: stripe, testServices: WithoutReactions))
            {
                string organiser;
                (slug, organiser) = await crashed.NewEventAsync();
                // Listed, as an event made on its page is: the next start looks in the outboxes of listed events.
                var catalog = crashed.Grains.GetGrain<IEventCatalogGrain>(IEventCatalogGrain.CatalogKey);
                await catalog.PublishAsync(EventListing.Of((await crashed.Grains.GetGrain<IAgendaGrain>(slug).GetAsync())!));
                var paid = await crashed.AddTypeAsync(slug, organiser, "Delegate", 10, price: 1500);
                var free = await crashed.AddTypeAsync(slug, organiser, "Online", 10);
                (payer, guest) = (TicketsSite.NewEmail("payer"), TicketsSite.NewEmail("guest"));
                string sessionId;
                (orderId, sessionId) = await PaymentTests.CheckoutAsync(crashed, slug, paid, payer);
                using (await PaymentTests.DeliverAsync(crashed, "evt_completed_crash", "checkout.session.completed", FakeStripe.CompletedSession(sessionId, slug, orderId, "pi_crash")))
                {
                }

                using var visitor = new TestBrowser(crashed.Host);
                await visitor.GetPageAsync($"/events/{slug}/register");
                using (await visitor.PostFormAsync($"/events/{slug}/register", TicketsSite.Registration(free.Id, guest)))
                {
                }

                await crashed.Grains.GetGrain<IAgendaGrain>(slug).CancelAsync(organiser, "The venue is flooded.");

                // Acknowledged, and nothing has reacted yet: the promise is all there is.
                Assert.Contains(await crashed.Grains.GetGrain<IMailOutboxGrain>(slug).PendingAsync(), p => p.Source == new JournalKey("agenda", slug));
                Assert.Equal(0, crashed.MailCount(payer, subject) + crashed.MailCount(guest, subject));
                Assert.Empty(stripe.CallsTo("/v1/refunds"));
            }

            await using var restarted = await TicketsSite.StartAsync(dataFolder: folder, sharedStripe: stripe);
            await restarted.Host.MailToAsync(payer, subject);
            await restarted.Host.MailToAsync(guest, subject);
            await TicketsSite.EventuallyAsync(() => Task.FromResult(stripe.CallsTo("/v1/refunds").Count == 1), "the refund at Stripe");
            Assert.Equal($"refund-{slug}-{orderId}", stripe.CallsTo("/v1/refunds").Single().IdempotencyKey);
            var outbox = restarted.Grains.GetGrain<IMailOutboxGrain>(slug);
            await TicketsSite.EventuallyAsync(async () => (await outbox.PendingAsync()).IsEmpty, "every promise carried out");

            // The same committed events handed over again (a source that could not tell how far the
            // outbox got) make no new promise.
            var journal = restarted.Host.Services.GetRequiredService<JournalReader>();
            foreach (var source in new[] { new JournalKey("agenda", slug), new JournalKey("ticket-office", slug) })
            {
                var events = await journal.ReadEventsAsync(source, 0, int.MaxValue, TestContext.Current.CancellationToken);
                await outbox.FollowAsync(source, events[^1].Sequence, [.. events]);
            }

            Assert.Empty(await outbox.PendingAsync());
            Assert.Equal(1, restarted.MailCount(payer, subject));
            Assert.Equal(1, restarted.MailCount(guest, subject));
            Assert.Single(stripe.CallsTo("/v1/refunds"));
        }
        finally
        {
            EventsHost.DeleteDataFolder(folder);
        }
    }
}
