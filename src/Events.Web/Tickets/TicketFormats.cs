using System.Globalization;
using Events.Grains.People;
using Events.Grains.Tickets;
using Orleans;

namespace Events.Web.Tickets;

// Prices as people type and read them, and as Stripe takes them (the currency's minor unit).
public static class Money
{
    // Stripe's zero-decimal currencies, among them the CFA francs and the Ugandan and Rwandan
    // shillings and francs our cities pay in: 5000 XOF is 5000, not 50.00.
    private static readonly HashSet<string> ZeroDecimal =
        ["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"];

    private static int Decimals(string currency) => ZeroDecimal.Contains(currency.ToLowerInvariant()) ? 0 : 2;

    // -1 when the text is not a price in that currency.
    public static long ToMinor(string? text, string? currency)
    {
        var trimmed = (text ?? "").Trim();
        if (trimmed.Length == 0)
        {
            return 0;
        }

        if (!decimal.TryParse(trimmed.Replace(',', '.'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount > 1_000_000_000m)
        {
            return -1;
        }

        var scaled = amount * (decimal)Math.Pow(10, Decimals(currency ?? ""));
        return scaled == decimal.Truncate(scaled) ? (long)scaled : -1;
    }

    public static string Plain(long minor, string currency) =>
        (minor / (decimal)Math.Pow(10, Decimals(currency))).ToString(Decimals(currency) == 0 ? "0" : "0.00", CultureInfo.InvariantCulture);

    public static string Format(long minor, string currency) => $"{Plain(minor, currency)} {currency.ToUpperInvariant()}";
}

public static class TicketRoles
{
    // A confirmed ticket gives its role at once; a cancelled or refunded one takes it back. (A
    // person who also holds the role by invitation keeps it only through the invitation's grant,
    // which is the same flag: cancelling a ticket removes it. Organisers re-grant on the people page.)
    public static async Task SyncAsync(IGrainFactory grains, string slug, Order? order)
    {
        if (order is null)
        {
            return;
        }

        var access = grains.GetGrain<IEventAccessGrain>(slug);
        var has = (await access.GetMembershipAsync(order.Registrant.Email))?.Roles.HasFlag(order.Role) == true;
        if (order.Status == OrderStatus.Confirmed && !has)
        {
            await access.GrantAsync($"ticket {order.Id}", order.Registrant.Email, order.Role, null);
        }
        else if (order.Status is OrderStatus.Cancelled or OrderStatus.Refunded && has)
        {
            await access.RevokeAsync($"ticket {order.Id}", order.Registrant.Email, order.Role);
        }
    }
}

public static class TicketText
{
    // An instant in the event's own zone, as the event's pages show times.
    public static string At(DateTimeOffset? instant, string timeZoneId) =>
        instant is { } at && TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out var zone)
            ? TimeZoneInfo.ConvertTime(at, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)
            : "";
}
