using Events.Web.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Events.Web.Agenda;

// The viewer's own time zone, for people without JavaScript (with it, live.js reads the browser's
// zone): chosen from a short list, remembered in a cookie.
public static class TimeZoneChoice
{
    public const string CookieName = "events.tz";

    public static readonly string[] Zones =
    [
        "UTC", "Africa/Abidjan", "Africa/Dakar", "Africa/Lagos", "Africa/Tunis", "Africa/Casablanca", "Africa/Cairo",
        "Africa/Kampala", "Africa/Nairobi", "Africa/Maputo", "Africa/Johannesburg", "Europe/Lisbon", "Europe/London",
        "Europe/Paris", "Europe/Berlin", "America/Sao_Paulo", "America/New_York", "Asia/Dubai", "Asia/Kolkata",
    ];

    public static TimeZoneInfo? Of(HttpContext http) =>
        http.Request.Cookies.TryGetValue(CookieName, out var id) && Zones.Contains(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id!, out var zone)
            ? zone
            : null;

    public static IEndpointRouteBuilder MapTimeZoneChoice(this IEndpointRouteBuilder app)
    {
        app.MapGet("/timezone", (string? tz, string? returnUrl, HttpContext http) =>
        {
            if (tz is null || !Zones.Contains(tz))
            {
                return Results.BadRequest();
            }

            http.Response.Cookies.Append(CookieName, tz, new CookieOptions { MaxAge = TimeSpan.FromDays(365), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true, Secure = http.Request.IsHttps });
            return Results.Redirect(Pages.LocalOr(returnUrl, "/"));
        }).AllowAnonymous();
        return app;
    }
}
