using System.Net;
using Events.Grains.Agenda;
using Events.Grains.People;
using Events.Grains.Tickets;

namespace Events.Web.Tests.Tickets;

// Paid tickets against the local Stripe stand-in: Stripe.net's real requests out, Stripe-signed
// webhooks in through the real endpoint.
public sealed class PaymentTests(TicketsRun run)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static async Task<(string OrderId, string SessionId)> CheckoutAsync(TicketsSite site, string slug, TicketType type, string email)
    {
        using var buyer = new TestBrowser(site.Host);
        var page = await buyer.GetPageAsync($"/events/{slug}/register");
        Assert.Contains("15.00 EUR", page);
        using var posted = await buyer.PostFormAsync($"/events/{slug}/register", TicketsSite.Registration(type.Id, email));
        Assert.Equal(HttpStatusCode.Found, posted.StatusCode);
        var location = posted.Headers.Location!.OriginalString;
        Assert.StartsWith("https://checkout.stripe.test/c/pay/cs_test_", location);
        var call = site.Stripe.CallsTo("/v1/checkout/sessions").Single(c => c.Form["customer_email"] == email);
        var orderId = call.Form["metadata[order]"];
        Assert.Equal($"checkout-{slug}-{orderId}", call.IdempotencyKey);
        Assert.Equal(slug, call.Form["metadata[event]"]);
        Assert.Equal("1500", call.Form["line_items[0][price_data][unit_amount]"]);
        Assert.Equal("eur", call.Form["line_items[0][price_data][currency]"]);
        return (orderId, location.Split('/')[^1]);
    }

    // The site is the run's: only the refunds of this test's event count.
    private static List<StripeCall> RefundsOf(TicketsSite site, string slug) =>
        [.. site.Stripe.CallsTo("/v1/refunds").Where(c => c.IdempotencyKey?.StartsWith($"refund-{slug}-", StringComparison.Ordinal) == true)];

    internal static async Task<HttpResponseMessage> DeliverAsync(TicketsSite site, string eventId, string type, object data)
    {
        using var client = site.Host.CreateHttpClient();
        return await FakeStripe.PostWebhookAsync(client, FakeStripe.Event(eventId, type, data));
    }

    [Fact]
    public async Task A_completed_checkout_delivered_ten_times_at_once_issues_one_ticket_and_one_mail_and_a_refund_goes_through_stripe_once()
    {
        var site = await run.SiteAsync();
        var (slug, organiser) = await site.NewEventAsync();
        var type = await site.AddTypeAsync(slug, organiser, "Delegate", 10, price: 1500);
        var email = TicketsSite.NewEmail("payer");
        var (orderId, sessionId) = await CheckoutAsync(site, slug, type, email);
        var office = site.Grains.GetGrain<ITicketOfficeGrain>(slug);
        Assert.Equal(OrderStatus.AwaitingPayment, (await office.GetOrderAsync(orderId))!.Status);
        Assert.Equal(1, (await office.GetAsync()).Types.Single().Held);

        var body = FakeStripe.Event("evt_completed_1", "checkout.session.completed", FakeStripe.CompletedSession(sessionId, slug, orderId, "pi_paid_1"));
        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
        {
            using var client = site.Host.CreateHttpClient();
            using var response = await FakeStripe.PostWebhookAsync(client, body);
            return response.StatusCode;
        }));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a));
        Assert.Equal(OrderStatus.Confirmed, (await office.GetOrderAsync(orderId))!.Status);
        Assert.Equal(EventRole.Attendee, (await site.Grains.GetGrain<IEventAccessGrain>(slug).GetMembershipAsync(email))!.Roles);
        await site.Host.MailToAsync(email, "Your ticket for City Pilots Day");

        // The organiser refunds from the orders page: one refund at Stripe, keyed by the order.
        using var staff = new TestBrowser(site.Host);
        await staff.SignInAsync(organiser);
        Assert.Contains(email, await staff.GetPageAsync($"/events/{slug}/orders"));
        using var refund = await staff.PostFormAsync($"/events/{slug}/orders/{orderId}", ("action", "Refund"));
        Assert.Equal(HttpStatusCode.Found, refund.StatusCode);
        await TicketsSite.EventuallyAsync(() => Task.FromResult(RefundsOf(site, slug).Count == 1), "the refund request at Stripe");
        var refundCall = RefundsOf(site, slug).Single();
        Assert.Equal("pi_paid_1", refundCall.Form["payment_intent"]);
        Assert.Equal($"refund-{slug}-{orderId}", refundCall.IdempotencyKey);
        await site.Host.MailToAsync(email, "Your ticket for City Pilots Day is cancelled and refunded");
        Assert.Null(await site.Grains.GetGrain<IEventAccessGrain>(slug).GetMembershipAsync(email));

        // Stripe then says the charge was refunded, twice: the order is refunded, nothing else changes.
        using (await DeliverAsync(site, "evt_refunded_1", "charge.refunded", FakeStripe.RefundedCharge("pi_paid_1")))
        using (var again = await DeliverAsync(site, "evt_refunded_1", "charge.refunded", FakeStripe.RefundedCharge("pi_paid_1")))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        Assert.Equal(OrderStatus.Refunded, (await office.GetOrderAsync(orderId))!.Status);
        Assert.Equal(0, (await office.GetAsync()).SeatsTaken);
        Assert.Equal(1, site.MailCount(email, "Your ticket for City Pilots Day"));
        Assert.Equal(1, site.MailCount(email, "Your ticket for City Pilots Day is cancelled and refunded"));
    }

    [Fact]
    public async Task Out_of_order_expired_before_completed_still_issues_and_refunded_before_completed_ends_refunded()
    {
        var site = await run.SiteAsync();
        var (slug, organiser) = await site.NewEventAsync();
        var type = await site.AddTypeAsync(slug, organiser, "Delegate", 10, price: 1500);
        var office = site.Grains.GetGrain<ITicketOfficeGrain>(slug);
        var (late, lateSession) = await CheckoutAsync(site, slug, type, TicketsSite.NewEmail("late"));
        var (early, earlySession) = await CheckoutAsync(site, slug, type, TicketsSite.NewEmail("early-refund"));

        using (await DeliverAsync(site, "evt_expired_2", "checkout.session.expired", FakeStripe.ExpiredSession(lateSession, slug, late)))
        {
            Assert.Equal(OrderStatus.Released, (await office.GetOrderAsync(late))!.Status);
        }

        using (await DeliverAsync(site, "evt_completed_2", "checkout.session.completed", FakeStripe.CompletedSession(lateSession, slug, late, "pi_late")))
        using (await DeliverAsync(site, "evt_refunded_3", "charge.refunded", FakeStripe.RefundedCharge("pi_early")))
        using (await DeliverAsync(site, "evt_completed_3", "checkout.session.completed", FakeStripe.CompletedSession(earlySession, slug, early, "pi_early")))
        using (await DeliverAsync(site, "evt_completed_3", "checkout.session.completed", FakeStripe.CompletedSession(earlySession, slug, early, "pi_early")))
        {
        }

        Assert.Equal(OrderStatus.Confirmed, (await office.GetOrderAsync(late))!.Status);
        Assert.Equal(OrderStatus.Refunded, (await office.GetOrderAsync(early))!.Status);
        Assert.Equal(1, (await office.GetAsync()).Types.Single().Sold);
        Assert.Empty(RefundsOf(site, slug));
    }

    [Fact]
    public async Task A_bad_signature_an_old_timestamp_or_a_body_that_is_not_json_is_refused_with_400_changes_nothing_and_is_logged()
    {
        var site = await run.SiteAsync();
        var (slug, organiser) = await site.NewEventAsync();
        var type = await site.AddTypeAsync(slug, organiser, "Delegate", 10, price: 1500);
        var (orderId, sessionId) = await CheckoutAsync(site, slug, type, TicketsSite.NewEmail("forged"));
        var body = FakeStripe.Event("evt_forged", "checkout.session.completed", FakeStripe.CompletedSession(sessionId, slug, orderId, "pi_forged"));
        using var client = site.Host.CreateHttpClient();
        var logged = site.Logs.Lines.Count;

        using var forged = await FakeStripe.PostWebhookAsync(client, body, FakeStripe.Sign(body, DateTimeOffset.UtcNow, "whsec_someone_else"));
        using var old = await FakeStripe.PostWebhookAsync(client, body, FakeStripe.Sign(body, DateTimeOffset.UtcNow.AddHours(-1)));
        using var notJson = await FakeStripe.PostWebhookAsync(client, "this is not json {");
        using var unsigned = await FakeStripe.PostWebhookAsync(client, body, "");

        Assert.All(new[] { forged, old, notJson, unsigned }, r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        Assert.Equal(OrderStatus.AwaitingPayment, (await site.Grains.GetGrain<ITicketOfficeGrain>(slug).GetOrderAsync(orderId))!.Status);
        var refusals = site.Logs.Lines.Skip(logged).Where(l => l.Contains("Stripe webhook refused", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, refusals.Count);
        Assert.Contains(refusals, l => l.Contains("signature", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(refusals, l => l.Contains("tolerance", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Cancelling_the_event_mails_every_registrant_once_and_refunds_every_paid_order_once()
    {
        var site = await run.SiteAsync();
        var (slug, organiser) = await site.NewEventAsync();
        var paid = await site.AddTypeAsync(slug, organiser, "Delegate", 10, price: 1500);
        var free = await site.AddTypeAsync(slug, organiser, "Online", 10);
        var (payer, guest) = (TicketsSite.NewEmail("payer"), TicketsSite.NewEmail("guest"));
        var (orderId, sessionId) = await CheckoutAsync(site, slug, paid, payer);
        using (await DeliverAsync(site, "evt_completed_4", "checkout.session.completed", FakeStripe.CompletedSession(sessionId, slug, orderId, "pi_cancelled_event")))
        {
        }

        using var visitor = new TestBrowser(site.Host);
        await visitor.GetPageAsync($"/events/{slug}/register");
        using (await visitor.PostFormAsync($"/events/{slug}/register", TicketsSite.Registration(free.Id, guest)))
        {
        }

        await site.Grains.GetGrain<IAgendaGrain>(slug).CancelAsync(organiser, "The venue is flooded.");

        var subject = "City Pilots Day is cancelled";
        var mail = await site.Host.MailToAsync(payer, subject);
        Assert.Contains("The venue is flooded.", mail.Body);
        await site.Host.MailToAsync(guest, subject);
        await TicketsSite.EventuallyAsync(() => Task.FromResult(RefundsOf(site, slug).Count == 1), "the refund at Stripe");
        Assert.Equal($"refund-{slug}-{orderId}", RefundsOf(site, slug).Single().IdempotencyKey);
        Assert.Equal(1, site.MailCount(payer, subject));
        Assert.Equal(1, site.MailCount(guest, subject));
        Assert.Contains("This event is cancelled", await visitor.GetPageAsync($"/events/{slug}/register"));
        using var refused = await visitor.PostFormAsync($"/events/{slug}/register", TicketsSite.Registration(free.Id, TicketsSite.NewEmail("late")));
        // Every form post to a cancelled event is refused by one rule before it reaches the ticket office.
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("is cancelled or archived", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)));
    }
}
