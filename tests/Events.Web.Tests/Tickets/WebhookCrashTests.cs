using System.Globalization;
using System.Net;
using Events.Grains.Agenda;
using Events.Grains.People;
using Events.Grains.Tickets;
using Events.Web.Tests.Hosting;
using Microsoft.Data.Sqlite;

namespace Events.Web.Tests.Tickets;

// The silo as a real process, killed with SIGKILL after Stripe's confirmation is committed and
// before it has acknowledged it; Stripe retries the same event against the restarted silo. To stop
// the first delivery at exactly that point, a trigger in the database refuses the write that comes
// next (linking the payment), so the silo commits the payment and then cannot answer 2xx.
public sealed class WebhookCrashTests
{
    // Generous: a process starting on a busy machine can take minutes, and only a failure waits this long.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static long PaidEvents(string folder, string slug)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "events.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = new SqliteCommand("SELECT count(*) FROM journal WHERE grain_type = 'ticket-office' AND grain_key = $key AND payload LIKE '%\"order-paid\"%'", connection);
        command.Parameters.AddWithValue("$key", slug);
        return (long)command.ExecuteScalar()!;
    }

    private static void Sql(string folder, string statement)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "events.db")};Pooling=False");
        connection.Open();
        using var command = new SqliteCommand(statement, connection);
        command.ExecuteNonQuery();
    }

    [Fact]
    public async Task A_silo_killed_after_committing_a_payment_issues_the_ticket_once_when_Stripe_retries()
    {
        var folder = EventsHost.NewDataFolder();
        await using var stripe = await FakeStripe.StartAsync();
        try
        {
            var slug = $"tickets-{Guid.NewGuid():N}";
            var email = TicketsSite.NewEmail("crash");
            string orderId;
            await using (var setup = new EventsHost(folder))
            {
                var start = DateTimeOffset.UtcNow.AddDays(30);
                await setup.Grains.GetGrain<IAgendaGrain>(slug).CreateAsync("organiser@example.org", new EventDetails(
                    "Crash Day", "", "Africa/Maputo", start, start.AddHours(4), ["pt"], EventVisibility.Listed, null));
                var office = setup.Grains.GetGrain<ITicketOfficeGrain>(slug);
                var type = await office.SaveTicketTypeAsync("organiser@example.org", new TicketTypeInput(
                    null, "Delegate", 1500, "eur", 10, null, null, EventRole.Attendee, TicketAccess.Open, null, false));
                orderId = (await office.RegisterAsync(new RegistrationRequest(type.Id,
                    new Registrant("Lurdes Matola", email, "Município da Matola", "Matola", "Moçambique", "pt", "", false), null))).Id;
            }

            Sql(folder, "CREATE TRIGGER die_after_payment BEFORE INSERT ON journal WHEN NEW.grain_type = 'stripe-payment' BEGIN SELECT RAISE(ABORT, 'the server dies here'); END;");
            string[] settings =
            [
                $"--Stripe:SecretKey={FakeStripe.SecretKey}", $"--Stripe:WebhookSecret={FakeStripe.WebhookSecret}", $"--Stripe:ApiBase={stripe.BaseUrl}",
                $"--Orleans:SiloPort={EventsHost.FreePort().ToString(CultureInfo.InvariantCulture)}",
            ];
            var body = FakeStripe.Event("evt_crash_1", "checkout.session.completed", FakeStripe.CompletedSession("cs_crash", slug, orderId, "pi_crash"));

            await using (var silo = SiloProcess.Start(folder, settings))
            {
                using var client = new HttpClient { BaseAddress = await silo.WaitUntilListeningAsync(StartTimeout) };
                using (var first = await FakeStripe.PostWebhookAsync(client, body))
                {
                    Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
                }

                Assert.Equal(1, PaidEvents(folder, slug));
                silo.Kill();
            }

            Sql(folder, "DROP TRIGGER die_after_payment;");
            await using (var restarted = SiloProcess.Start(folder, settings))
            {
                using var client = new HttpClient { BaseAddress = await restarted.WaitUntilListeningAsync(StartTimeout) };
                using var retry = await FakeStripe.PostWebhookAsync(client, body);
                using var again = await FakeStripe.PostWebhookAsync(client, body);
                Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
                Assert.Equal(HttpStatusCode.OK, again.StatusCode);
                restarted.Interrupt();
                await restarted.WaitForExitAsync(StartTimeout);
            }

            Assert.Equal(1, PaidEvents(folder, slug));
            await using var check = new EventsHost(folder);
            var view = await check.Grains.GetGrain<ITicketOfficeGrain>(slug).GetAsync();
            Assert.Equal(OrderStatus.Confirmed, view.Orders.Single().Status);
            Assert.Equal(1, view.Types.Single().Sold);
            Assert.Equal(EventRole.Attendee, (await check.Grains.GetGrain<IEventAccessGrain>(slug).GetMembershipAsync(email))!.Roles);
        }
        finally
        {
            EventsHost.DeleteDataFolder(folder);
        }
    }
}
