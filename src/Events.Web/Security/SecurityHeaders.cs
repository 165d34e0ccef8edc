using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Events.Web.Security;

public static class SecurityHeaders
{
    // No inline script or style anywhere, so the policy can forbid both.
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'none'; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        return next(context);
    });

    // Pages reached from a link carrying a secret: the secret must not leak to the next site.
    public static void NoReferrer(this HttpContext context) => context.Response.Headers["Referrer-Policy"] = "no-referrer";
}
