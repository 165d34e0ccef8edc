using Events.Grains.Agenda;
using Events.Grains.Mail;
using Events.Grains.Tickets;
using Events.Web.Localization;
using Events.Web.Mail;
using Events.Web.People;
using Events.Web.Security;
using Events.Web.Shared;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;

namespace Events.Web.Tickets;

// Registrants hear by mail, in the language they registered in, whenever their ticket changes:
// confirmed (with a sign-in link, the ticket and the event's calendar), waiting for approval,
// declined, cancelled or refunded; paid orders that are cancelled are refunded through Stripe; and
// the agenda's cancellation cancels every ticket. Each of these is promised in the event's mail
// outbox before the committing call is acknowledged (the ticket office and the agenda are followed
// by it, see IJournalFollower), and the outbox's mailer (OutboxMailer) hands each promise here
// once, at start-up too, until it is done: a process killed after a commit leaves the promise for
// the next start, and a promise handed over twice is one promise. A refund retried after a crash
// carries the same idempotency key, so Stripe refunds once; a mail carries its promise's id.
public sealed class TicketMailer(IGrainFactory grains, IMailSender mail, SignInMailer signIn, TicketPayments payments, IOptions<SiteOptions> site, ILogger<TicketMailer> logger) : IPromisedMail
{
    public bool Handles(object promised) => promised is TicketEvent or EventCancelled;

    public async Task<DateTimeOffset?> ApplyAsync(string slug, MailPromise promise, object promised)
    {
        var office = grains.GetGrain<ITicketOfficeGrain>(slug);
        if (promised is EventCancelled eventCancelled)
        {
            // Only orders still active are cancelled: a second run cancels nothing more.
            await office.CancelAllAsync(eventCancelled.Actor, eventCancelled.Reason);
            return null;
        }

        // The refund first: if Stripe cannot be reached the promise stays, and the mail that says
        // "refunded" waits for it.
        if (RefundDue(promised) is { } refundOrder)
        {
            await RefundAsync(slug, office, refundOrder);
        }

        if (MailDue(promised) is { } due)
        {
            await MailAsync(slug, promise, office, due.OrderId, due.Kind);
        }

        return null;
    }

    private static string? RefundDue(object promised) => promised switch
    {
        OrderCancelled { Refund: true } cancelled => cancelled.OrderId,
        OrderPaid { SeatKept: false } paid => paid.OrderId,
        RefundRequested requested => requested.OrderId,
        _ => null,
    };

    private static (string OrderId, string Kind)? MailDue(object promised) => promised switch
    {
        OrderPlaced { Order.Status: OrderStatus.AwaitingApproval } placed => (placed.Order.Id, "awaiting-approval"),
        OrderPlaced { Order.Status: OrderStatus.Confirmed } placed => (placed.Order.Id, "confirmed"),
        OrderPaid { SeatKept: false } paid => (paid.OrderId, "sold-out-refunded"),
        OrderPaid paid => (paid.OrderId, "confirmed"),
        OrderDecided { Approved: true } decided => (decided.OrderId, "confirmed"),
        OrderDecided decided => (decided.OrderId, "declined"),
        OrderCancelled { Reason: "event-cancelled" } cancelled => (cancelled.OrderId, "event-cancelled"),
        OrderCancelled { Refund: true } cancelled => (cancelled.OrderId, "refunded"),
        OrderCancelled cancelled => (cancelled.OrderId, "cancelled"),
        ConfirmationResent resent => (resent.OrderId, "confirmed"),
        OrderRefunded { WasActive: true } refunded => (refunded.OrderId, "refunded"),
        _ => null,
    };

    private async Task RefundAsync(string slug, ITicketOfficeGrain office, string orderId)
    {
        if (await office.GetOrderAsync(orderId) is not { IsPaid: true } order)
        {
            return;
        }

        if (!payments.Enabled)
        {
            logger.LogWarning("Order {Order} of {Slug} is due a refund, but no Stripe keys are configured", order.Id, slug);
            return;
        }

        await payments.RefundAsync(slug, order);
    }

    private async Task MailAsync(string slug, MailPromise promise, ITicketOfficeGrain office, string orderId, string kind)
    {
        var order = await office.GetOrderAsync(orderId);
        var agenda = await grains.GetGrain<IAgendaGrain>(slug).GetAsync();
        // A confirmation already overtaken (refunded in the same breath) is not sent.
        if (order is null || agenda is null || (kind == "confirmed" && order.Status != OrderStatus.Confirmed))
        {
            return;
        }

        var language = order.Registrant.Language;
        var when = $"{TicketText.At(agenda.StartsAt, agenda.TimeZoneId)} ({agenda.TimeZoneId})";
        var body = Text.Format(language, $"tickets.mail.{kind}-body", order.Registrant.Name, agenda.Title, order.TicketName, order.Id, when,
            agenda.CancellationReason ?? "", site.Value.Link($"/my/tickets"));
        if (kind == "confirmed")
        {
            var (_, link) = await signIn.IssueAsync(order.Registrant.Email, null);
            body += "\n\n" + Text.Format(language, "tickets.mail.ticket-links", link, (int)Events.Grains.People.SignInChallengeGrain.Lifetime.TotalMinutes,
                site.Value.Link($"/events/{slug}/calendar.ics"), site.Value.Link($"/events/{slug}"), site.Value.Link($"/events/{slug}/register/{order.Id}"));
        }

        await mail.SendAsync(new OutgoingMail(order.Registrant.Email, Text.Format(language, $"tickets.mail.{kind}-subject", agenda.Title), body, PromisedMails.Id(promise, order.Registrant.Email)), CancellationToken.None);
    }
}
