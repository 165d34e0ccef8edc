using Events.Grains.Tickets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Stripe;
using Stripe.Checkout;

namespace Events.Web.Tickets;

// Stripe's notices about checkouts and charges. Each is checked (signature, timestamp within the
// tolerance, API version) before anything is read from it; a refused one changes nothing and
// answers 400 with the reason in the log. Accepted ones are applied once per Stripe event id by
// the grains, whatever the order and however often Stripe retries, and answered at once.
public static class StripeWebhook
{
    private const int MaxBody = 512 * 1024;

    public static async Task<IResult> ReceiveAsync(HttpRequest request, IGrainFactory grains, IOptions<StripeOptions> options, TimeProvider clock, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(StripeWebhook));
        var settings = options.Value;
        if (!settings.Enabled)
        {
            logger.LogWarning("Stripe webhook refused: no Stripe:WebhookSecret is configured");
            return TypedResults.NotFound();
        }

        if (request.ContentLength > MaxBody)
        {
            logger.LogWarning("Stripe webhook refused: body of {Length} bytes", request.ContentLength);
            return TypedResults.BadRequest();
        }

        using var reader = new StreamReader(request.Body);
        var json = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        Event stripeEvent;
        try
        {
            stripeEvent = EventUtility.ConstructEvent(json, request.Headers["Stripe-Signature"].ToString(), settings.WebhookSecret,
                settings.WebhookTolerance, clock.GetUtcNow().ToUnixTimeSeconds(), throwOnApiVersionMismatch: true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // ConstructEvent only reads its arguments: whatever it throws is about this request.
            logger.LogWarning("Stripe webhook refused: {Reason}", ex.Message);
            return TypedResults.BadRequest();
        }

        await ApplyAsync(stripeEvent, grains, logger);
        return TypedResults.Ok();
    }

    private static async Task ApplyAsync(Event stripeEvent, IGrainFactory grains, ILogger logger)
    {
        switch (stripeEvent.Type, stripeEvent.Data.Object)
        {
            case (EventTypes.CheckoutSessionCompleted or EventTypes.CheckoutSessionExpired, Session session)
                when session.Metadata.TryGetValue("event", out var slug) && session.Metadata.TryGetValue("order", out var orderId):
                var office = grains.GetGrain<ITicketOfficeGrain>(slug);
                var completed = stripeEvent.Type == EventTypes.CheckoutSessionCompleted;
                var result = await office.ApplyStripeAsync(new StripeNotice(stripeEvent.Id,
                    completed ? StripeNoticeKind.CheckoutCompleted : StripeNoticeKind.CheckoutExpired, orderId, session.PaymentIntentId));
                if (result.Outcome == StripeOutcome.UnknownOrder)
                {
                    logger.LogWarning("Stripe event {Id} names order {Order} of {Slug}, which does not exist", stripeEvent.Id, orderId, slug);
                    return;
                }

                // Also on a retry: a server killed after the office's commit links and grants now.
                if (completed && session.PaymentIntentId is { Length: > 0 } paymentIntent)
                {
                    foreach (var parked in await grains.GetGrain<IStripePaymentGrain>(paymentIntent).LinkAsync(new Events.Grains.Tickets.PaymentLink(slug, orderId)))
                    {
                        await office.ApplyStripeAsync(parked);
                    }
                }

                await TicketRoles.SyncAsync(grains, slug, await office.GetOrderAsync(orderId));
                break;
            case (EventTypes.ChargeRefunded, Charge { PaymentIntentId: { Length: > 0 } refundedIntent }):
                var notice = new StripeNotice(stripeEvent.Id, StripeNoticeKind.ChargeRefunded, "", refundedIntent);
                if (await grains.GetGrain<IStripePaymentGrain>(refundedIntent).RouteAsync(notice) is { } link)
                {
                    var refundedOffice = grains.GetGrain<ITicketOfficeGrain>(link.Slug);
                    await refundedOffice.ApplyStripeAsync(notice with { OrderId = link.OrderId });
                    await TicketRoles.SyncAsync(grains, link.Slug, await refundedOffice.GetOrderAsync(link.OrderId));
                }

                break;
            default:
                logger.LogInformation("Stripe event {Id} ({Type}) needs nothing from us", stripeEvent.Id, stripeEvent.Type);
                break;
        }
    }
}
