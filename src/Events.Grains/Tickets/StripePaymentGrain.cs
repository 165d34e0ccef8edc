using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Journal;

namespace Events.Grains.Tickets;

[GenerateSerializer, Immutable]
public sealed record PaymentLink(string Slug, string OrderId);

// Which order a Stripe payment intent paid for (keyed by the payment intent's id). A
// charge.refunded names only the payment intent, and may arrive before the checkout's
// completion that tells us the order: such notices are parked here until the link is known.
public interface IStripePaymentGrain : IGrainWithStringKey
{
    // Returns the notices parked before the link was known, for the caller to apply in order.
    Task<ImmutableArray<StripeNotice>> LinkAsync(PaymentLink link);

    // Returns the link, or null after parking the notice.
    Task<PaymentLink?> RouteAsync(StripeNotice notice);
}

[JsonPolymorphic]
[JsonDerivedType(typeof(PaymentLinked), "payment-linked")]
[JsonDerivedType(typeof(PaymentNoticeParked), "payment-notice-parked")]
[GenerateSerializer, Immutable]
public abstract record StripePaymentEvent;

[GenerateSerializer, Immutable]
public sealed record PaymentLinked(PaymentLink Link) : StripePaymentEvent;

[GenerateSerializer, Immutable]
public sealed record PaymentNoticeParked(StripeNotice Notice) : StripePaymentEvent;

[GenerateSerializer, Immutable]
public sealed record StripePaymentState(PaymentLink? Link, ImmutableList<StripeNotice> Parked) : IJournaledState<StripePaymentState, StripePaymentEvent>
{
    public static StripePaymentState Initial { get; } = new(null, []);

    public StripePaymentState Apply(StripePaymentEvent @event) => @event switch
    {
        PaymentLinked linked => this with { Link = linked.Link },
        PaymentNoticeParked parked when Parked.All(p => p.EventId != parked.Notice.EventId) => this with { Parked = Parked.Add(parked.Notice) },
        _ => this,
    };
}

[GrainType("stripe-payment")]
public sealed class StripePaymentGrain : JournalGrain<StripePaymentState, StripePaymentEvent>, IStripePaymentGrain
{
    public Task<ImmutableArray<StripeNotice>> LinkAsync(PaymentLink link)
    {
        if (State.Link is null)
        {
            RaiseEvent(new PaymentLinked(link));
        }

        // Parked notices stay parked: the office ignores the ones it already processed, so a
        // retried link (after a crash) hands them over again safely.
        return Task.FromResult(State.Parked.Select(n => n with { OrderId = State.Link!.OrderId }).ToImmutableArray());
    }

    public Task<PaymentLink?> RouteAsync(StripeNotice notice)
    {
        if (State.Link is null && State.Parked.All(p => p.EventId != notice.EventId))
        {
            RaiseEvent(new PaymentNoticeParked(notice));
        }

        return Task.FromResult(State.Link);
    }
}
