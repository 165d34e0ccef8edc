using Events.Web.Live;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Events.Web.Security;

// Browsers send the sign-in cookie with a WebSocket (or event stream) to the hub whichever page
// opened it, so a page on another site could act as the person. A browser always says which page
// (Origin): the hub answers only pages of Site:PublicUrl, Site:AllowedOrigins, or the host the
// request itself names (what the person's browser was pointed at: another site's page cannot
// make it name ours). Clients that are not browsers send no Origin and carry no ambient cookie.
public static class HubOrigin
{
    // Not async: the connections it lets through are held for hours (see SecuritySetup.RefuseForgedForms).
    public static Task RefuseForeignAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Path.StartsWithSegments(LiveHub.Path) && context.Request.Headers.Origin is [{ } origin] && !Allowed(context, origin))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }

        return next(context);
    }

    private static bool Allowed(HttpContext context, string origin)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var from))
        {
            return false;
        }

        var site = context.RequestServices.GetRequiredService<IOptions<SiteOptions>>().Value;
        return string.Equals(from.Authority, context.Request.Host.Value, StringComparison.OrdinalIgnoreCase)
            || site.AllowedOrigins.Append(site.PublicUrl).Any(allowed =>
                Uri.TryCreate(allowed, UriKind.Absolute, out var uri) && Uri.Compare(uri, from, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0);
    }
}
