using System.Collections.Immutable;
using Events.Grains.Agenda;
using Events.Grains.Journal;
using Events.Grains.People;

namespace Events.Grains.Tickets;

// One event's ticket office (keyed by the event's slug): ticket types, seat holds, orders and the
// Stripe events already processed. Every seat is counted here, one call at a time, so twenty
// buyers for the last five seats get exactly five tickets. Stripe itself is called by the web
// layer and by pumps reacting to committed events, never from the grain.
public interface ITicketOfficeGrain : IGrainWithStringKey
{
    Task<TicketOfficeView> GetAsync();

    Task<Order?> GetOrderAsync(string orderId);

    Task<TicketType> SaveTicketTypeAsync(string actor, TicketTypeInput input);

    // Free open tickets are confirmed at once, approval tickets wait, paid ones hold a seat for
    // HoldFor while the buyer is at Stripe Checkout.
    Task<Order> RegisterAsync(RegistrationRequest request);

    Task<Order> OpenCheckoutAsync(string orderId, string sessionId);

    // Each Stripe event id changes state once; retries and duplicates answer AlreadyProcessed.
    Task<StripeResult> ApplyStripeAsync(StripeNotice notice);

    Task<Order> ActAsync(string actor, string orderId, OrderAction action);

    // The holder cancels their own ticket, where its type allows it.
    Task<Order> CancelOwnAsync(string email, string orderId);

    // The event was cancelled: every active order is cancelled once, paid ones with a refund.
    Task<int> CancelAllAsync(string actor, string reason);
}

[GrainType("ticket-office")]
public sealed class TicketOfficeGrain(TimeProvider clock) : JournalGrain<TicketOfficeState, TicketEvent>, ITicketOfficeGrain
{
    // Mails to registrants and refunds are promised in the event's outbox before a call is
    // acknowledged, so a process killed after the commit leaves them for the next start.
    protected override IReadOnlyList<Follower> Followers => [.. base.Followers, Mail.MailOutbox.Follower];

    // Stripe Checkout sessions must live at least 30 minutes (one more for clock skew); the hold outlasts the session a little so
    // that a payment completed at the last second still finds its seat.
    public static readonly TimeSpan CheckoutLifetime = TimeSpan.FromMinutes(31);
    public static readonly TimeSpan HoldFor = CheckoutLifetime + TimeSpan.FromMinutes(2);

    public const int MaxTypes = 50;
    public const int MaxTypeName = 100;
    public const int MaxQuantity = 1_000_000;
    public const long MaxPrice = 99_999_999;
    public const int MaxName = 200;
    public const int MaxField = 200;
    public const int MaxNeeds = 1_000;
    public const int MaxCode = 100;

    public Task<TicketOfficeView> GetAsync() => ViewAsync();

    public Task<Order?> GetOrderAsync(string orderId) => Task.FromResult(Effective(State.Orders.FirstOrDefault(o => o.Id == orderId)));

    public Task<TicketType> SaveTicketTypeAsync(string actor, TicketTypeInput input)
    {
        var existing = input.Id is null ? null : State.Types.FirstOrDefault(t => t.Id == input.Id) ?? throw new ValidationFailedException(Problem.TicketTypeMissing, input.Id);
        if (existing is null && State.Types.Count >= MaxTypes)
        {
            throw new ValidationFailedException(Problem.TicketTypesFull, MaxTypes);
        }

        var name = Text(input.Name, MaxTypeName, required: true);
        var currency = (input.Currency ?? "").Trim().ToLowerInvariant();
        if (input.Price is < 0 or > MaxPrice || (input.Price > 0 && (currency.Length != 3 || !currency.All(char.IsAsciiLetterLower))))
        {
            throw new ValidationFailedException(Problem.TicketPrice);
        }

        if (input.Quantity is < 1 or > MaxQuantity)
        {
            throw new ValidationFailedException(Problem.TicketQuantity, MaxQuantity);
        }

        if (input.SalesStart is { } start && input.SalesEnd is { } end && end <= start)
        {
            throw new ValidationFailedException(Problem.TicketSalesWindow);
        }

        // Tickets grant audience roles; moderating or organising is given by invitation only.
        if (input.Role is not (EventRole.Attendee or EventRole.Investor or EventRole.Presenter))
        {
            throw new ValidationFailedException(Problem.TicketRole);
        }

        var code = input.InvitationCode is { } typed ? Text(typed, MaxCode, required: false) : null;
        var codeHash = code is { Length: > 0 } ? Secrets.Hash(code) : existing?.CodeHash;
        if (input.Access == TicketAccess.InvitationCode && codeHash is null)
        {
            throw new ValidationFailedException(Problem.TicketCodeRequired);
        }

        var type = new TicketType(existing?.Id ?? $"t{State.Types.Count + 1}", name, input.Price, input.Price == 0 ? "" : currency,
            input.Quantity, input.SalesStart, input.SalesEnd, input.Role, input.Access, codeHash, input.AttendeeMayCancel);
        RaiseEvent(new TicketTypeSaved(actor, type));
        return Task.FromResult(type);
    }

    public async Task<Order> RegisterAsync(RegistrationRequest request)
    {
        var agenda = await GrainFactory.GetGrain<IAgendaGrain>(Key).GetAsync() ?? throw new ValidationFailedException(Problem.TicketsClosed);
        if (agenda.IsReadOnly)
        {
            throw new ValidationFailedException(Problem.TicketsClosed);
        }

        var type = State.Types.FirstOrDefault(t => t.Id == request.TicketTypeId) ?? throw new ValidationFailedException(Problem.TicketTypeMissing, request.TicketTypeId);
        var registrant = Clean(request.Registrant);
        var now = clock.GetUtcNow();
        ReleaseLapsed(now);

        if (type.Access == TicketAccess.InvitationCode && (request.InvitationCode is not { Length: > 0 and <= MaxCode } code || !Secrets.Matches(code.Trim(), type.CodeHash!)))
        {
            throw new ValidationFailedException(Problem.TicketCodeWrong);
        }

        // One active ticket per person and event: registering twice returns the first.
        if (State.Orders.FirstOrDefault(o => o.Registrant.Email == registrant.Email && o.HoldsSeat(now)) is { } existing)
        {
            return existing;
        }

        switch (StateOf(type, now, SeatsLeft(type, agenda.Capacity, now)))
        {
            case SaleState.NotYetOnSale:
                throw new ValidationFailedException(Problem.TicketNotOnSale, type.Name);
            case SaleState.SalesEnded:
                throw new ValidationFailedException(Problem.TicketSalesEnded, type.Name);
            case SaleState.SoldOut:
                throw new ValidationFailedException(Problem.TicketSoldOut, type.Name);
        }

        var status = !type.IsFree ? OrderStatus.AwaitingPayment
            : type.Access == TicketAccess.Approval ? OrderStatus.AwaitingApproval
            : OrderStatus.Confirmed;
        // Hex: safe in addresses, mail and spreadsheets (a base64url id may start with '-').
        var order = new Order(Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)), type.Id, type.Name, registrant, status, type.Price, type.Currency, type.Role, now,
            type.IsFree ? null : now + HoldFor, null, null, false, false, null);
        await GrainFactory.GetGrain<ITicketWalletGrain>(registrant.Email).AddAsync(new WalletEntry(Key, order.Id));
        RaiseEvent(new OrderPlaced(order));
        return order;
    }

    public Task<Order> OpenCheckoutAsync(string orderId, string sessionId)
    {
        var order = Find(orderId);
        if (order.CheckoutSession != sessionId && order.Status == OrderStatus.AwaitingPayment)
        {
            RaiseEvent(new CheckoutOpened(orderId, sessionId));
        }

        return Task.FromResult(Find(orderId));
    }

    public async Task<StripeResult> ApplyStripeAsync(StripeNotice notice)
    {
        if (State.StripeEvents.Contains(notice.EventId))
        {
            return new StripeResult(StripeOutcome.AlreadyProcessed, State.Orders.FirstOrDefault(o => o.Id == notice.OrderId));
        }

        if (State.Orders.FirstOrDefault(o => o.Id == notice.OrderId) is not { } order)
        {
            return new StripeResult(StripeOutcome.UnknownOrder, null);
        }

        var now = clock.GetUtcNow();
        switch (notice.Kind)
        {
            case StripeNoticeKind.CheckoutCompleted when order.PaymentIntent is null && order.Status is OrderStatus.AwaitingPayment or OrderStatus.Released:
                // The buyer paid. If the hold lapsed first (Stripe said "expired" before
                // "completed", or our timeout ran), the seat is taken again if one is free.
                var kept = order.HoldsSeat(now) || SeatsLeft(State.Types.First(t => t.Id == order.TicketTypeId), await CapacityAsync(), now) > 0;
                RaiseEvent(new OrderPaid(order.Id, notice.EventId, notice.PaymentIntent ?? "", kept));
                break;
            case StripeNoticeKind.CheckoutExpired when order.Status == OrderStatus.AwaitingPayment:
                RaiseEvent(new OrderReleased(order.Id, notice.EventId, "checkout-expired"));
                break;
            case StripeNoticeKind.ChargeRefunded when order.Status != OrderStatus.Refunded:
                RaiseEvent(new OrderRefunded(order.Id, notice.EventId, WasActive: order.IsActive));
                break;
            default:
                RaiseEvent(new StripeEventNoted(notice.EventId));
                break;
        }

        return new StripeResult(StripeOutcome.Applied, Find(order.Id));
    }

    public Task<Order> ActAsync(string actor, string orderId, OrderAction action)
    {
        var order = Find(orderId);
        switch (action)
        {
            case OrderAction.Approve or OrderAction.Decline when order.Status == OrderStatus.AwaitingApproval:
                RaiseEvent(new OrderDecided(actor, orderId, action == OrderAction.Approve));
                break;
            case OrderAction.Cancel when order.IsActive:
                RaiseEvent(new OrderCancelled(actor, orderId, "organiser", Refund: false));
                break;
            case OrderAction.Refund when order.IsPaid && order.Status == OrderStatus.Confirmed:
                RaiseEvent(new OrderCancelled(actor, orderId, "refund", Refund: true));
                break;
            case OrderAction.Refund when order.IsPaid && order.Status == OrderStatus.Cancelled:
                RaiseEvent(new RefundRequested(actor, orderId));
                break;
            case OrderAction.ResendConfirmation when order.Status == OrderStatus.Confirmed:
                RaiseEvent(new ConfirmationResent(actor, orderId));
                break;
            case OrderAction.CheckIn or OrderAction.UndoCheckIn when order.Status == OrderStatus.Confirmed:
                if (order.Present != (action == OrderAction.CheckIn))
                {
                    RaiseEvent(new AttendanceMarked(actor, orderId, action == OrderAction.CheckIn));
                }

                break;
            default:
                throw new ValidationFailedException(Problem.OrderActionNotNow);
        }

        return Task.FromResult(Find(orderId));
    }

    public Task<Order> CancelOwnAsync(string email, string orderId)
    {
        var order = Find(orderId);
        if (order.Registrant.Email != email)
        {
            throw new ValidationFailedException(Problem.OrderMissing);
        }

        var type = State.Types.FirstOrDefault(t => t.Id == order.TicketTypeId);
        if (type is not { AttendeeMayCancel: true } || !order.IsActive)
        {
            throw new ValidationFailedException(Problem.OrderActionNotNow);
        }

        RaiseEvent(new OrderCancelled(email, orderId, "holder", Refund: order.IsPaid && order.Status == OrderStatus.Confirmed));
        return Task.FromResult(Find(orderId));
    }

    public Task<int> CancelAllAsync(string actor, string reason)
    {
        var active = State.Orders.Where(o => o.IsActive).ToList();
        foreach (var order in active)
        {
            RaiseEvent(new OrderCancelled(actor, order.Id, "event-cancelled", Refund: order.IsPaid && order.Status == OrderStatus.Confirmed));
        }

        return Task.FromResult(active.Count);
    }

    private async Task<TicketOfficeView> ViewAsync()
    {
        var capacity = await CapacityAsync();
        var now = clock.GetUtcNow();
        var types = State.Types.Select(t =>
        {
            var orders = State.Orders.Where(o => o.TicketTypeId == t.Id).ToList();
            var left = SeatsLeft(t, capacity, now);
            return new TicketTypeSales(t, StateOf(t, now, left),
                orders.Count(o => o.Status == OrderStatus.Confirmed),
                orders.Count(o => o.Status != OrderStatus.Confirmed && o.HoldsSeat(now)),
                left);
        }).ToImmutableArray();
        return new TicketOfficeView(types, capacity, State.Orders.Count(o => o.HoldsSeat(now)),
            [.. State.Orders.Select(o => Effective(o)!).Reverse()]);
    }

    private async Task<int?> CapacityAsync() => (await GrainFactory.GetGrain<IAgendaGrain>(Key).GetAsync())?.Capacity;

    // A hold that lapsed shows as released before the next write records it.
    private Order? Effective(Order? order) =>
        order is { Status: OrderStatus.AwaitingPayment } && !order.HoldsSeat(clock.GetUtcNow()) ? order with { Status = OrderStatus.Released, Note = "timeout" } : order;

    private void ReleaseLapsed(DateTimeOffset now)
    {
        foreach (var order in State.Orders.Where(o => o.Status == OrderStatus.AwaitingPayment && !o.HoldsSeat(now)).ToList())
        {
            RaiseEvent(new OrderReleased(order.Id, null, "timeout"));
        }
    }

    private int SeatsLeft(TicketType type, int? eventCapacity, DateTimeOffset now)
    {
        var ofType = type.Quantity - State.Orders.Count(o => o.TicketTypeId == type.Id && o.HoldsSeat(now));
        var ofEvent = eventCapacity is { } limit ? limit - State.Orders.Count(o => o.HoldsSeat(now)) : int.MaxValue;
        return Math.Max(0, Math.Min(ofType, ofEvent));
    }

    private static SaleState StateOf(TicketType type, DateTimeOffset now, int left) =>
        type.SalesStart is { } start && now < start ? SaleState.NotYetOnSale
        : type.SalesEnd is { } end && now >= end ? SaleState.SalesEnded
        : left <= 0 ? SaleState.SoldOut
        : SaleState.OnSale;

    private Order Find(string orderId) => State.Orders.FirstOrDefault(o => o.Id == orderId) ?? throw new ValidationFailedException(Problem.OrderMissing);

    private static Registrant Clean(Registrant r) => new(
        Text(r.Name, MaxName, required: true),
        EmailAddress.Normalize(r.Email),
        Text(r.Organisation, MaxField, required: false),
        Text(r.City, MaxField, required: false),
        Text(r.Country, MaxField, required: false),
        r.Language is "en" or "fr" or "pt" ? r.Language : "en",
        Text(r.AccessibilityNeeds, MaxNeeds, required: false, multiline: true),
        r.InDirectory);

    // What people type is stored as typed (pages encode it), but control characters, which no
    // keyboard produces and which break mail headers and CSV files, are refused, and so is markup
    // in one-line fields.
    private static string Text(string? value, int max, bool required, bool multiline = false)
    {
        var text = required
            ? Input.Required(value, max, Problem.RegistrationNameRequired, Problem.RegistrationFieldTooLong)
            : Input.Optional(value, max, Problem.RegistrationFieldTooLong);
        if (text.Any(c => char.IsControl(c) && !(multiline && c is '\n' or '\r' or '\t')))
        {
            throw new ValidationFailedException(Problem.RegistrationControlCharacters);
        }

        // Nobody's name or town has angle brackets; markup there is someone probing the pages.
        if (!multiline && text.AsSpan().IndexOfAny('<', '>') >= 0)
        {
            throw new ValidationFailedException(Problem.RegistrationMarkup);
        }

        return text;
    }
}
