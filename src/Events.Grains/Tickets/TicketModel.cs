using System.Collections.Immutable;
using Events.Grains.People;

namespace Events.Grains.Tickets;

// How a ticket type is obtained: by anyone, on an organiser's approval, or with a code the
// organiser hands out (a city team's pass).
[GenerateSerializer]
public enum TicketAccess
{
    Open,
    Approval,
    InvitationCode,
}

// Prices are in the currency's minor unit (cents), as Stripe takes them; 0 is free.
[GenerateSerializer, Immutable]
public sealed record TicketType(
    string Id,
    string Name,
    long Price,
    string Currency,
    int Quantity,
    DateTimeOffset? SalesStart,
    DateTimeOffset? SalesEnd,
    EventRole Role,
    TicketAccess Access,
    string? CodeHash,
    bool AttendeeMayCancel)
{
    public bool IsFree => Price == 0;
}

// What an organiser types for a ticket type. Id null: a new type. InvitationCode null on an
// edit keeps the code it had.
[GenerateSerializer, Immutable]
public sealed record TicketTypeInput(
    string? Id,
    string? Name,
    long Price,
    string? Currency,
    int Quantity,
    DateTimeOffset? SalesStart,
    DateTimeOffset? SalesEnd,
    EventRole Role,
    TicketAccess Access,
    string? InvitationCode,
    bool AttendeeMayCancel);

[GenerateSerializer]
public enum OrderStatus
{
    // A paid ticket's seat is held while its Stripe Checkout is open.
    AwaitingPayment,
    AwaitingApproval,
    Confirmed,
    Declined,
    // The checkout expired or was abandoned: the seat went back.
    Released,
    Cancelled,
    Refunded,
}

[GenerateSerializer, Immutable]
public sealed record Registrant(
    string Name,
    string Email,
    string Organisation,
    string City,
    string Country,
    string Language,
    string AccessibilityNeeds,
    bool InDirectory);

[GenerateSerializer, Immutable]
public sealed record RegistrationRequest(string TicketTypeId, Registrant Registrant, string? InvitationCode);

// One registration for one ticket. Id is random and unguessable: the return page after checkout
// shows the order to whoever holds its address.
[GenerateSerializer, Immutable]
public sealed record Order(
    string Id,
    string TicketTypeId,
    string TicketName,
    Registrant Registrant,
    OrderStatus Status,
    long Amount,
    string Currency,
    EventRole Role,
    DateTimeOffset CreatedAt,
    DateTimeOffset? HoldUntil,
    string? CheckoutSession,
    string? PaymentIntent,
    bool RefundDue,
    bool Present,
    string? Note)
{
    public bool IsPaid => PaymentIntent is not null;

    // Whether the order occupies a seat at this instant. An approval request keeps its seat until
    // decided, so approving never overbooks; a checkout's hold lapses at HoldUntil even if Stripe
    // never says the session expired.
    public bool HoldsSeat(DateTimeOffset now) => Status switch
    {
        OrderStatus.Confirmed or OrderStatus.AwaitingApproval => true,
        OrderStatus.AwaitingPayment => HoldUntil is null || HoldUntil > now,
        _ => false,
    };

    public bool IsActive => Status is OrderStatus.AwaitingPayment or OrderStatus.AwaitingApproval or OrderStatus.Confirmed;
}

// Availability as a visitor sees it at one instant.
[GenerateSerializer]
public enum SaleState
{
    OnSale,
    NotYetOnSale,
    SalesEnded,
    SoldOut,
}

[GenerateSerializer, Immutable]
public sealed record TicketTypeSales(TicketType Type, SaleState State, int Sold, int Held, int Left);

[GenerateSerializer, Immutable]
public sealed record TicketOfficeView(
    ImmutableArray<TicketTypeSales> Types,
    int? EventCapacity,
    int SeatsTaken,
    ImmutableArray<Order> Orders);

// What Stripe told us, reduced to what the office needs. Kind: completed, expired or refunded.
[GenerateSerializer]
public enum StripeNoticeKind
{
    CheckoutCompleted,
    CheckoutExpired,
    ChargeRefunded,
}

[GenerateSerializer, Immutable]
public sealed record StripeNotice(string EventId, StripeNoticeKind Kind, string OrderId, string? PaymentIntent);

[GenerateSerializer]
public enum StripeOutcome
{
    Applied,
    AlreadyProcessed,
    UnknownOrder,
}

[GenerateSerializer, Immutable]
public sealed record StripeResult(StripeOutcome Outcome, Order? Order);

// An organiser's (or, for Cancel, the ticket holder's) action on one order.
[GenerateSerializer]
public enum OrderAction
{
    Approve,
    Decline,
    Cancel,
    Refund,
    ResendConfirmation,
    CheckIn,
    UndoCheckIn,
}
