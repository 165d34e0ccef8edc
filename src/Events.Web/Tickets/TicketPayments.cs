using Events.Grains.Tickets;
using Microsoft.Extensions.DependencyInjection;
using Events.Web.Mail;
using Events.Web.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stripe;
using Stripe.Checkout;

namespace Events.Web.Tickets;

public sealed class StripeOptions
{
    public const string Section = "Stripe";

    // With no secret key, paid tickets say that payments are off; free ones work.
    public string? SecretKey { get; set; }

    public string? WebhookSecret { get; set; }

    // Stripe's API by default; the tests point it at a stand-in on loopback.
    public string? ApiBase { get; set; }

    // How old a webhook's signed timestamp may be, in seconds (Stripe's library default).
    public long WebhookTolerance { get; set; } = EventUtility.DefaultTimeTolerance;

    public bool Enabled => !string.IsNullOrWhiteSpace(SecretKey) && !string.IsNullOrWhiteSpace(WebhookSecret);
}

public sealed record Checkout(string SessionId, string Url);

// Every call to Stripe carries an idempotency key derived from the order, so a retried request
// (a double click, a pump run twice) creates one checkout and one refund.
public sealed class TicketPayments(IOptions<StripeOptions> options, IOptions<SiteOptions> site, TimeProvider clock, ILogger<TicketPayments> logger)
{
    public bool Enabled => options.Value.Enabled;

    private StripeClient Client()
    {
        var settings = options.Value;
        return string.IsNullOrWhiteSpace(settings.ApiBase)
            ? new StripeClient(settings.SecretKey)
            : new StripeClient(settings.SecretKey, apiBase: settings.ApiBase);
    }

    public async Task<Checkout> CreateCheckoutAsync(string slug, string eventTitle, Order order, CancellationToken cancellationToken)
    {
        var metadata = new Dictionary<string, string> { ["event"] = slug, ["order"] = order.Id };
        var back = site.Value.Link($"/events/{slug}/register/{order.Id}");
        var session = await new SessionService(Client()).CreateAsync(new SessionCreateOptions
        {
            Mode = "payment",
            ClientReferenceId = order.Id,
            CustomerEmail = order.Registrant.Email,
            Locale = order.Registrant.Language,
            ExpiresAt = (clock.GetUtcNow() + TicketOfficeGrain.CheckoutLifetime).UtcDateTime,
            LineItems =
            [
                new SessionLineItemOptions
                {
                    Quantity = 1,
                    PriceData = new SessionLineItemPriceDataOptions
                    {
                        Currency = order.Currency,
                        UnitAmount = order.Amount,
                        ProductData = new SessionLineItemPriceDataProductDataOptions { Name = $"{eventTitle}: {order.TicketName}" },
                    },
                },
            ],
            Metadata = metadata,
            PaymentIntentData = new SessionPaymentIntentDataOptions { Metadata = metadata },
            SuccessUrl = back,
            CancelUrl = back,
        }, new RequestOptions { IdempotencyKey = $"checkout-{slug}-{order.Id}" }, cancellationToken);
        return new Checkout(session.Id, session.Url);
    }

    public async Task RefundAsync(string slug, Order order)
    {
        var refund = await new RefundService(Client()).CreateAsync(new RefundCreateOptions
        {
            PaymentIntent = order.PaymentIntent,
            Metadata = new Dictionary<string, string> { ["event"] = slug, ["order"] = order.Id },
        }, new RequestOptions { IdempotencyKey = $"refund-{slug}-{order.Id}" });
        logger.LogInformation("Refund {Refund} ({Status}) asked for order {Order} of {Slug}", refund.Id, refund.Status, order.Id, slug);
    }
}

public static class TicketServices
{
    public static IServiceCollection AddTickets(this IServiceCollection services)
    {
        services.AddOptions<StripeOptions>().BindConfiguration(StripeOptions.Section);
        services.AddSingleton<TicketPayments>();
        services.AddSingleton<IPromisedMail, TicketMailer>();
        return services;
    }
}
