using System.Globalization;
using System.Text;
using Events.Grains;
using Events.Grains.Agenda;
using Events.Grains.People;
using Events.Grains.Tickets;
using Events.Web.Localization;
using Events.Web.Security;
using Events.Web.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Orleans;

namespace Events.Web.Tickets;

public sealed record TicketTypeForm
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? Price { get; init; }
    public string? Currency { get; init; }
    public string? Quantity { get; init; }
    public string? SalesStart { get; init; }
    public string? SalesEnd { get; init; }
    public string? Role { get; init; }
    public string? Access { get; init; }
    public string? Code { get; init; }
    public string? MayCancel { get; init; }

    public static TicketTypeForm From(TicketType type, TimeZoneInfo zone) => new()
    {
        Id = type.Id,
        Name = type.Name,
        Price = type.IsFree ? "" : Money.Plain(type.Price, type.Currency),
        Currency = type.Currency.ToUpperInvariant(),
        Quantity = type.Quantity.ToString(CultureInfo.InvariantCulture),
        SalesStart = Local(type.SalesStart, zone),
        SalesEnd = Local(type.SalesEnd, zone),
        Role = type.Role.ToString(),
        Access = type.Access.ToString(),
        MayCancel = type.AttendeeMayCancel ? "on" : null,
    };

    public TicketTypeInput ToInput(TimeZoneInfo zone)
    {
        var currency = (Currency ?? "").Trim().ToLowerInvariant();
        var price = Money.ToMinor(Price, currency);
        return new TicketTypeInput(
            string.IsNullOrEmpty(Id) ? null : Id,
            Name,
            price < 0 ? throw new ValidationFailedException(Problem.TicketPrice) : price,
            currency,
            int.TryParse(Quantity, NumberStyles.None, CultureInfo.InvariantCulture, out var quantity) ? quantity : -1,
            Instant(SalesStart, zone),
            Instant(SalesEnd, zone),
            Enum.TryParse<EventRole>(Role, out var role) && Enum.IsDefined(role) ? role : EventRole.None,
            Enum.TryParse<TicketAccess>(Access, out var access) && Enum.IsDefined(access) ? access : TicketAccess.Open,
            string.IsNullOrWhiteSpace(Code) ? null : Code,
            MayCancel is "on" or "true");
    }

    private static string? Local(DateTimeOffset? instant, TimeZoneInfo zone) =>
        instant is { } at ? TimeZoneInfo.ConvertTime(at, zone).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture) : null;

    // Sales windows are typed in the event's time zone (an HTML datetime-local field).
    private static DateTimeOffset? Instant(string? text, TimeZoneInfo zone)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!DateTime.TryParseExact(text.Trim(), ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            throw new ValidationFailedException(Problem.TicketSalesWindow);
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }
}

public sealed record OrderActionForm
{
    public string? Action { get; init; }
    public string? ReturnTo { get; init; }
}

// The organiser's side: ticket types and sales, orders and registrants, the check-in list, the
// CSV export. Every change is an audited grain event.
public static class TicketOfficeEndpoints
{
    public static IEndpointRouteBuilder MapTicketOffice(this IEndpointRouteBuilder app)
    {
        var office = app.MapGroup("/events/{slug}").RequireAuthorization(Policies.EventOrganiser);
        office.MapGet("/tickets", (string slug, HttpContext http, IGrainFactory grains) => TypesPageAsync(slug, null, null, http, grains));
        office.MapGet("/tickets/{typeId}/edit", (string slug, string typeId, HttpContext http, IGrainFactory grains) => TypesPageAsync(slug, typeId, null, http, grains));
        office.MapPost("/tickets", SaveTypeAsync)
            .OnRefusal(r => TypesPageAsync(r.Route("slug"), null, (r.Form<TicketTypeForm>()!, r.Error), r.Http, r.Grains));
        office.MapGet("/orders", OrdersPageAsync);
        office.MapPost("/orders/{orderId}", ActAsync)
            .OnRefusal(r => Task.FromResult<IResult>(Pages.Message(StatusCodes.Status400BadRequest, "tickets.action-failed", "tickets.message", Back(r.Route("slug"), r.Route("orderId"), r.Form<OrderActionForm>()!), null, r.Error)));
        office.MapGet("/orders.csv", ExportAsync);
        office.MapGet("/check-in", CheckInPageAsync);
        return app;
    }

    private static ITicketOfficeGrain Office(IGrainFactory grains, string slug) => grains.GetGrain<ITicketOfficeGrain>(slug);

    private static async Task<IResult> TypesPageAsync(string slug, string? editId, (TicketTypeForm Form, string Error)? refused, HttpContext http, IGrainFactory grains)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda)
        {
            return Pages.NoEvent(slug);
        }

        var view = await Office(grains, slug).GetAsync();
        var zone = TimeZoneInfo.FindSystemTimeZoneById(agenda.TimeZoneId);
        var editing = view.Types.FirstOrDefault(t => t.Type.Id == editId)?.Type;
        return Pages.Render(new TicketTypesPage
        {
            Agenda = agenda,
            Office = view,
            Form = refused?.Form ?? (editing is null ? new TicketTypeForm { Role = nameof(EventRole.Attendee), Access = nameof(TicketAccess.Open), MayCancel = "on" } : TicketTypeForm.From(editing, zone)),
            Error = refused?.Error,
        }, refused is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> SaveTypeAsync(string slug, [FromForm] TicketTypeForm form, HttpContext http, IGrainFactory grains)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda)
        {
            return Pages.NoEvent(slug);
        }

        await Office(grains, slug).SaveTicketTypeAsync(http.Viewer().SignedInEmail, form.ToInput(TimeZoneInfo.FindSystemTimeZoneById(agenda.TimeZoneId)));
        return TypedResults.Redirect($"/events/{slug}/tickets");
    }

    private static IEnumerable<Order> Matching(IEnumerable<Order> orders, string? q, string? status)
    {
        var query = (q ?? "").Trim();
        return orders.Where(o =>
            (status is not { Length: > 0 } || o.Status.ToString() == status)
            && (query.Length == 0
                || o.Registrant.Name.Contains(query, StringComparison.OrdinalIgnoreCase)
                || o.Registrant.Email.Contains(query, StringComparison.OrdinalIgnoreCase)
                || o.Registrant.Organisation.Contains(query, StringComparison.OrdinalIgnoreCase)
                || o.Id == query));
    }

    private static async Task<IResult> OrdersPageAsync(string slug, string? q, string? status, IGrainFactory grains) =>
        await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda
            ? Pages.NoEvent(slug)
            : Pages.Render(new OrdersPage
            {
                Agenda = agenda,
                Orders = (IReadOnlyList<Order>)[.. Matching((await Office(grains, slug).GetAsync()).Orders, q, status)],
                Query = q,
                Status = status,
            });

    private static async Task<IResult> CheckInPageAsync(string slug, string? q, IGrainFactory grains) =>
        await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda
            ? Pages.NoEvent(slug)
            : Pages.Render(new CheckInPage
            {
                Agenda = agenda,
                Orders = (IReadOnlyList<Order>)[.. Matching((await Office(grains, slug).GetAsync()).Orders, q, nameof(OrderStatus.Confirmed)).OrderBy(o => o.Registrant.Name, StringComparer.OrdinalIgnoreCase)],
                Query = q,
            });

    // Where an order's action returns: the check-in desk or the orders list.
    private static string Back(string slug, string orderId, OrderActionForm form) =>
        form.ReturnTo == "check-in" ? $"/events/{slug}/check-in#{orderId}" : $"/events/{slug}/orders#{orderId}";

    private static async Task<IResult> ActAsync(string slug, string orderId, [FromForm] OrderActionForm form, HttpContext http, IGrainFactory grains)
    {
        var back = Back(slug, orderId, form);
        var action = Enum.TryParse<OrderAction>(form.Action, out var parsed) && Enum.IsDefined(parsed)
            ? parsed
            : throw new ValidationFailedException(Problem.OrderActionNotNow);
        var order = await Office(grains, slug).ActAsync(http.Viewer().SignedInEmail, orderId, action);
        await TicketRoles.SyncAsync(grains, slug, order);
        return TypedResults.Redirect(back);
    }

    private static async Task<IResult> ExportAsync(string slug, IGrainFactory grains)
    {
        var csv = new StringBuilder("order,status,ticket,amount,currency,name,email,organisation,city,country,language,accessibility_needs,in_directory,present,created_at\r\n");
        foreach (var o in (await Office(grains, slug).GetAsync()).Orders)
        {
            var r = o.Registrant;
            csv.AppendJoin(',',
                o.Id, o.Status.ToString(), Csv.Cell(o.TicketName), Money.Plain(o.Amount, o.Currency), o.Currency.ToUpperInvariant(),
                Csv.Cell(r.Name), Csv.Cell(r.Email), Csv.Cell(r.Organisation), Csv.Cell(r.City), Csv.Cell(r.Country), r.Language,
                Csv.Cell(r.AccessibilityNeeds), r.InDirectory ? "yes" : "no", o.Present ? "yes" : "no",
                o.CreatedAt.ToString("O", CultureInfo.InvariantCulture)).Append("\r\n");
        }

        return Csv.File(csv, $"orders-{slug}.csv");
    }
}
