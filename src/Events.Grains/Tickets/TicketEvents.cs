using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Serialization;
using Events.Grains.Audit;
using Events.Grains.Journal;
using Events.Grains.Mail;

namespace Events.Grains.Tickets;

[JsonPolymorphic]
[JsonDerivedType(typeof(TicketTypeSaved), "ticket-type-saved")]
[JsonDerivedType(typeof(OrderPlaced), "order-placed")]
[JsonDerivedType(typeof(CheckoutOpened), "checkout-opened")]
[JsonDerivedType(typeof(OrderPaid), "order-paid")]
[JsonDerivedType(typeof(OrderReleased), "order-released")]
[JsonDerivedType(typeof(OrderDecided), "order-decided")]
[JsonDerivedType(typeof(OrderCancelled), "order-cancelled")]
[JsonDerivedType(typeof(OrderRefunded), "order-refunded")]
[JsonDerivedType(typeof(StripeEventNoted), "stripe-event-noted")]
[JsonDerivedType(typeof(AttendanceMarked), "attendance-marked")]
[JsonDerivedType(typeof(ConfirmationResent), "confirmation-resent")]
[JsonDerivedType(typeof(RefundRequested), "refund-requested")]
[GenerateSerializer, Immutable]
public abstract record TicketEvent;

[GenerateSerializer, Immutable]
public sealed record TicketTypeSaved(string Actor, TicketType Type) : TicketEvent, IAuditedEvent
{
    public AuditAction Audit() => AuditAction.Of("ticket-type-saved", Type.Name, Type.Quantity, Type.Price, Type.Currency ?? "", Type.Access, Type.Role);
}

[GenerateSerializer, Immutable]
public sealed record OrderPlaced(Order Order) : TicketEvent, IPromisesMail
{
    // The registrant hears that the ticket is theirs, or waits for approval.
    [JsonIgnore]
    public bool PromisesMail => Order.Status is OrderStatus.Confirmed or OrderStatus.AwaitingApproval;
}

[GenerateSerializer, Immutable]
public sealed record CheckoutOpened(string OrderId, string SessionId) : TicketEvent;

// SeatKept false: the payment arrived after the hold had lapsed and the seats were gone; the
// order is cancelled and the money goes back.
[GenerateSerializer, Immutable]
public sealed record OrderPaid(string OrderId, string StripeEventId, string PaymentIntent, bool SeatKept) : TicketEvent, IPromisesMail
{
    // Confirmed by mail; or, with the seats gone, refunded and told so.
    [JsonIgnore]
    public bool PromisesMail => true;
}

[GenerateSerializer, Immutable]
public sealed record OrderReleased(string OrderId, string? StripeEventId, string Why) : TicketEvent;

[GenerateSerializer, Immutable]
public sealed record OrderDecided(string Actor, string OrderId, bool Approved) : TicketEvent, IAuditedEvent, IPromisesMail
{
    // Approved or declined, the registrant is told.
    [JsonIgnore]
    public bool PromisesMail => true;

    public AuditAction Audit() => AuditAction.Of(Approved ? "order-approved" : "order-declined", OrderId);
}

// Refund: the order was paid and its money is to go back through Stripe.
[GenerateSerializer, Immutable]
public sealed record OrderCancelled(string Actor, string OrderId, string Reason, bool Refund) : TicketEvent, IAuditedEvent, IPromisesMail
{
    // The holder is told; a paid order is refunded.
    [JsonIgnore]
    public bool PromisesMail => true;

    public AuditAction Audit() => AuditAction.Of(Refund ? "order-cancelled-refund" : "order-cancelled", OrderId, Reason);
}

// WasActive: the refund came from outside (Stripe's dashboard, or before we knew of the payment)
// while the ticket stood, so its holder has not been told yet.
[GenerateSerializer, Immutable]
public sealed record OrderRefunded(string OrderId, string StripeEventId, bool WasActive) : TicketEvent, IPromisesMail
{
    // A refund from outside is news to the holder.
    [JsonIgnore]
    public bool PromisesMail => WasActive;
}

// A Stripe event that changed nothing (a refund for an order already refunded, an expiry after
// payment) is remembered too, so that its retries are recognised.
[GenerateSerializer, Immutable]
public sealed record StripeEventNoted(string StripeEventId) : TicketEvent;

[GenerateSerializer, Immutable]
public sealed record AttendanceMarked(string Actor, string OrderId, bool Present) : TicketEvent, IAuditedEvent
{
    public AuditAction Audit() => AuditAction.Of(Present ? "order-present" : "order-absent", OrderId);
}

[GenerateSerializer, Immutable]
public sealed record ConfirmationResent(string Actor, string OrderId) : TicketEvent, IAuditedEvent, IPromisesMail
{
    // The confirmation goes out again.
    [JsonIgnore]
    public bool PromisesMail => true;

    public AuditAction Audit() => AuditAction.Of("order-confirmation-resent", OrderId);
}

// A refund asked for again on an order already cancelled (Stripe was unreachable, or the
// cancellation came without one); the idempotency key keeps it to one refund at Stripe.
[GenerateSerializer, Immutable]
public sealed record RefundRequested(string Actor, string OrderId) : TicketEvent, IAuditedEvent, IPromisesMail
{
    // The refund is asked of Stripe again (once there, by its idempotency key).
    [JsonIgnore]
    public bool PromisesMail => true;

    public AuditAction Audit() => AuditAction.Of("order-refund-requested", OrderId);
}

[GenerateSerializer, Immutable]
public sealed record TicketOfficeState(
    ImmutableList<TicketType> Types,
    ImmutableList<Order> Orders,
    ImmutableHashSet<string> StripeEvents) : IJournaledState<TicketOfficeState, TicketEvent>
{
    public static TicketOfficeState Initial { get; } = new([], [], []);

    public TicketOfficeState Apply(TicketEvent @event) => @event switch
    {
        TicketTypeSaved saved => this with
        {
            Types = Types.FindIndex(t => t.Id == saved.Type.Id) is var i and >= 0 ? Types.SetItem(i, saved.Type) : Types.Add(saved.Type),
        },
        OrderPlaced placed => this with { Orders = Orders.Add(placed.Order) },
        CheckoutOpened opened => Update(opened.OrderId, o => o with { CheckoutSession = opened.SessionId }),
        OrderPaid paid => Update(paid.OrderId, o => paid.SeatKept
            ? o with { Status = OrderStatus.Confirmed, PaymentIntent = paid.PaymentIntent }
            : o with { Status = OrderStatus.Cancelled, PaymentIntent = paid.PaymentIntent, RefundDue = true, Note = "sold-out" }).Seen(paid.StripeEventId),
        OrderReleased released => Update(released.OrderId, o => o with { Status = OrderStatus.Released, Note = released.Why }).Seen(released.StripeEventId),
        OrderDecided decided => Update(decided.OrderId, o => o with { Status = decided.Approved ? OrderStatus.Confirmed : OrderStatus.Declined }),
        OrderCancelled cancelled => Update(cancelled.OrderId, o => o with { Status = OrderStatus.Cancelled, RefundDue = cancelled.Refund, Note = cancelled.Reason }),
        OrderRefunded refunded => Update(refunded.OrderId, o => o with { Status = OrderStatus.Refunded, RefundDue = false }).Seen(refunded.StripeEventId),
        StripeEventNoted noted => Seen(noted.StripeEventId),
        RefundRequested requested => Update(requested.OrderId, o => o with { RefundDue = true }),
        AttendanceMarked marked => Update(marked.OrderId, o => o with { Present = marked.Present }),
        _ => this,
    };

    private TicketOfficeState Seen(string? stripeEventId) =>
        stripeEventId is null ? this : this with { StripeEvents = StripeEvents.Add(stripeEventId) };

    private TicketOfficeState Update(string id, Func<Order, Order> change) =>
        Orders.FindIndex(o => o.Id == id) is var i and >= 0 ? this with { Orders = Orders.SetItem(i, change(Orders[i])) } : this;
}
