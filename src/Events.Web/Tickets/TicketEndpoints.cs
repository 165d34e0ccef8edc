using Events.Grains;
using Events.Grains.Agenda;
using Events.Grains.People;
using Events.Grains.Tickets;
using Events.Web.Localization;
using Events.Web.Offline;
using Events.Web.Security;
using Events.Web.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Orleans;
using Stripe;

namespace Events.Web.Tickets;

public sealed record RegisterForm
{
    public string? Ticket { get; init; }
    public string? Name { get; init; }
    public string? Email { get; init; }
    public string? Organisation { get; init; }
    public string? City { get; init; }
    public string? Country { get; init; }
    public string? Language { get; init; }
    public string? Accessibility { get; init; }
    public string? Directory { get; init; }
    public string? Code { get; init; }
}

// One ticket as its holder sees it on "my tickets".
public sealed record HeldTicket(string Slug, string EventTitle, DateTimeOffset? StartsAt, string TimeZoneId, Order Order, bool MayCancel, IReadOnlyList<AgendaSession> Sessions);

public static class TicketEndpoints
{
    // The register page's form posts here and may be sent on to Stripe Checkout.
    private static readonly string RegisterPolicy =
        SecurityHeaders.ContentSecurityPolicy.Replace("form-action 'self'", "form-action 'self' https://checkout.stripe.com", StringComparison.Ordinal);

    public static IEndpointRouteBuilder MapTickets(this IEndpointRouteBuilder app)
    {
        var register = app.MapGroup("/events/{slug}/register").AllowAnonymous();
        register.MapGet("/", (string slug, HttpContext http, IGrainFactory grains, TicketPayments payments) => RegisterPageAsync(slug, null, null, http, grains, payments))
            .WithContentSecurityPolicy(RegisterPolicy);
        // Each registration mails a sign-in link, so it is limited like asking for one.
        register.MapPost("/", RegisterAsync).RequireRateLimiting(RateLimitOptions.SignInPolicy)
            .OnRefusal(r => RegisterPageAsync(r.Route("slug"), r.Form<RegisterForm>(), r.Error, r.Http, r.Grains, r.Service<TicketPayments>()));
        register.MapGet("/{orderId}", OrderPageAsync);
        app.MapPost("/stripe/webhook", StripeWebhook.ReceiveAsync).AllowAnonymous().DisableAntiforgery();

        var mine = app.MapGroup("/my/tickets").RequireAuthorization(Policies.SignedIn);
        mine.MapGet("/", MyTicketsAsync).KeepOfflineCopy();
        mine.MapPost("/{slug}/{orderId}/cancel", CancelOwnAsync)
            .OnRefusal(r => Task.FromResult<IResult>(Pages.Message(StatusCodes.Status400BadRequest, "tickets.cancel-failed", "tickets.message", "/my/tickets", null, r.Error)));

        app.MapTicketOffice();
        return app;
    }

    private static ITicketOfficeGrain Office(IGrainFactory grains, string slug) => grains.GetGrain<ITicketOfficeGrain>(slug);

    private static async Task<IResult> RegisterPageAsync(string slug, RegisterForm? form, string? error, HttpContext http, IGrainFactory grains, TicketPayments payments)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda)
        {
            return Pages.NoEvent(slug);
        }

        return Pages.Render(new RegisterPage
        {
            Agenda = agenda,
            Office = await Office(grains, slug).GetAsync(),
            PaymentsOn = payments.Enabled,
            Form = form ?? new RegisterForm { Language = Text.LanguageOf(http), Email = http.Viewer().Email },
            Error = error,
        }, error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> RegisterAsync(string slug, [FromForm] RegisterForm form, HttpContext http, IGrainFactory grains, TicketPayments payments, TimeProvider clock, ILogger<TicketPayments> logger)
    {
        var before = clock.GetUtcNow();
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda)
        {
            return Pages.NoEvent(slug);
        }

        var language = Text.LanguageOf(http);
        var office = Office(grains, slug);
        var type = (await office.GetAsync()).Types.FirstOrDefault(t => t.Type.Id == form.Ticket)?.Type
            ?? throw new ValidationFailedException(Problem.TicketTypeMissing, form.Ticket ?? "");
        if (!type.IsFree && !payments.Enabled)
        {
            throw new ValidationFailedException(Problem.PaymentsOff);
        }

        var order = await office.RegisterAsync(new RegistrationRequest(type.Id, new Registrant(
            form.Name ?? "", form.Email ?? "", form.Organisation ?? "", form.City ?? "", form.Country ?? "",
            Text.Languages.Contains(form.Language) ? form.Language! : language, form.Accessibility ?? "", form.Directory is "on" or "true"), form.Code));
        if (order.Status == OrderStatus.AwaitingPayment)
        {
            try
            {
                var checkout = await payments.CreateCheckoutAsync(slug, agenda.Title, order, http.RequestAborted);
                await office.OpenCheckoutAsync(order.Id, checkout.SessionId);
                return TypedResults.Redirect(checkout.Url);
            }
            catch (StripeException ex)
            {
                // The seat stays held until the hold's timeout; the next attempt (same order,
                // same idempotency key) reuses it.
                logger.LogWarning(ex, "Stripe refused a checkout for order {Order} of {Slug}", order.Id, slug);
                throw new ValidationFailedException(Problem.PaymentFailed);
            }
        }

        // Someone typing another person's address must not reach that person's order page.
        if (order.CreatedAt < before)
        {
            return Pages.Message(StatusCodes.Status200OK, "tickets.already-title", "tickets.already", $"/events/{slug}", null, order.Registrant.Email);
        }

        await TicketRoles.SyncAsync(grains, slug, order);
        return TypedResults.Redirect($"/events/{slug}/register/{order.Id}");
    }

    private static async Task<IResult> OrderPageAsync(string slug, string orderId, IGrainFactory grains)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda)
        {
            return Pages.NoEvent(slug);
        }

        if (await Office(grains, slug).GetOrderAsync(orderId) is not { } order)
        {
            return Pages.Message(StatusCodes.Status404NotFound, "message.not-found", "problem.OrderMissing", $"/events/{slug}/register");
        }

        return Pages.Render(new OrderPage { Agenda = agenda, Order = order });
    }

    private static async Task<IResult> MyTicketsAsync(HttpContext http, IGrainFactory grains)
    {
        var email = http.Viewer().SignedInEmail;
        var tickets = new List<HeldTicket>();
        foreach (var entry in await grains.GetGrain<ITicketWalletGrain>(email).ListAsync())
        {
            var agenda = await grains.GetGrain<IAgendaGrain>(entry.Slug).GetAsync();
            var office = Office(grains, entry.Slug);
            if (agenda is null || await office.GetOrderAsync(entry.OrderId) is not { } order || order.Registrant.Email != email)
            {
                continue;
            }

            var type = (await office.GetAsync()).Types.FirstOrDefault(t => t.Type.Id == order.TicketTypeId)?.Type;
            tickets.Add(new HeldTicket(entry.Slug, agenda.Title, agenda.StartsAt, agenda.TimeZoneId, order,
                type?.AttendeeMayCancel == true && order.IsActive && !agenda.IsReadOnly,
                order.Status == OrderStatus.Confirmed ? [.. agenda.Sessions.Where(s => s.Status != SessionStatus.Cancelled && s.Links?.Stream is not null)] : []));
        }

        return Pages.Render(new MyTicketsPage { Tickets = (IReadOnlyList<HeldTicket>)[.. tickets.OrderBy(t => t.StartsAt)] });
    }

    private static async Task<IResult> CancelOwnAsync(string slug, string orderId, HttpContext http, IGrainFactory grains)
    {
        var order = await Office(grains, slug).CancelOwnAsync(http.Viewer().SignedInEmail, orderId);
        await TicketRoles.SyncAsync(grains, slug, order);
        return TypedResults.Redirect("/my/tickets");
    }
}
