using Events.Grains.Agenda;
using Events.Grains.Journal;
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
// declined, cancelled or refunded. Each committed event makes at most one mail, so a webhook
// Stripe delivers ten times mails once.
public sealed class TicketMailer(GrainEventPublisher publisher, IGrainFactory grains, IMailSender mail, SignInMailer signIn, IOptions<SiteOptions> site, ILogger<TicketMailer> logger)
    : GrainEventPump<GrainEvent>(publisher, logger)
{
    protected override GrainEvent? Select(GrainEvent grainEvent) => grainEvent.Event switch
    {
        OrderPlaced { Order.Status: OrderStatus.Confirmed or OrderStatus.AwaitingApproval } => grainEvent,
        OrderPaid or OrderDecided or OrderCancelled or ConfirmationResent or OrderRefunded { WasActive: true } => grainEvent,
        _ => null,
    };

    protected override async Task HandleAsync(GrainEvent grainEvent)
    {
        var slug = grainEvent.Grain.Key;
        var (orderId, kind) = grainEvent.Event switch
        {
            OrderPlaced { Order.Status: OrderStatus.AwaitingApproval } placed => (placed.Order.Id, "awaiting-approval"),
            OrderPlaced placed => (placed.Order.Id, "confirmed"),
            OrderPaid { SeatKept: false } paid => (paid.OrderId, "sold-out-refunded"),
            OrderPaid paid => (paid.OrderId, "confirmed"),
            OrderDecided { Approved: true } decided => (decided.OrderId, "confirmed"),
            OrderDecided decided => (decided.OrderId, "declined"),
            OrderCancelled { Reason: "event-cancelled" } cancelled => (cancelled.OrderId, "event-cancelled"),
            OrderCancelled { Refund: true } cancelled => (cancelled.OrderId, "refunded"),
            OrderCancelled cancelled => (cancelled.OrderId, "cancelled"),
            ConfirmationResent resent => (resent.OrderId, "confirmed"),
            OrderRefunded refunded => (refunded.OrderId, "refunded"),
            _ => ("", ""),
        };

        var order = await grains.GetGrain<ITicketOfficeGrain>(slug).GetOrderAsync(orderId);
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

        await mail.SendAsync(new OutgoingMail(order.Registrant.Email, Text.Format(language, $"tickets.mail.{kind}-subject", agenda.Title), body), CancellationToken.None);
    }
}

// What the ticket office asks of Stripe after a commit: refunds, each with an idempotency key,
// so a cancelled event refunds every paid order once. And the agenda's cancellation cancels every
// ticket (which in turn mails each registrant once).
public sealed class TicketRefunder(GrainEventPublisher publisher, IGrainFactory grains, TicketPayments payments, ILogger<TicketRefunder> logger)
    : GrainEventPump<GrainEvent>(publisher, logger)
{
    protected override GrainEvent? Select(GrainEvent grainEvent) => grainEvent.Event switch
    {
        EventCancelled or OrderCancelled { Refund: true } or OrderPaid { SeatKept: false } or RefundRequested => grainEvent,
        _ => null,
    };

    protected override async Task HandleAsync(GrainEvent grainEvent)
    {
        var slug = grainEvent.Grain.Key;
        var office = grains.GetGrain<ITicketOfficeGrain>(slug);
        var orderId = grainEvent.Event switch
        {
            OrderCancelled cancelled => cancelled.OrderId,
            OrderPaid paid => paid.OrderId,
            RefundRequested requested => requested.OrderId,
            _ => null,
        };

        if (grainEvent.Event is EventCancelled eventCancelled)
        {
            await office.CancelAllAsync(eventCancelled.Actor, eventCancelled.Reason);
            return;
        }

        if (await office.GetOrderAsync(orderId!) is not { IsPaid: true } order)
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
}
