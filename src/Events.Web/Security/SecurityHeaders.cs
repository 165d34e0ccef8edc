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
        headers.XContentTypeOptions = "nosniff";
        // Razor component results announce Blazor's enhanced navigation, which no page here uses.
        context.Response.OnStarting(() =>
        {
            headers.Remove("blazor-enhanced-nav");
            return Task.CompletedTask;
        });
        // A region a live page fetches (Sec-Fetch-Dest: empty) is never rendered as a document, so
        // the document headers would only cost a 2G reader ~300 bytes per refetch. Anything else
        // (documents, workers, browsers that do not say) gets them.
        if (context.Request.Headers["Sec-Fetch-Dest"] == "empty")
        {
            return next(context);
        }

        // WebApplication routes before this runs, so the endpoint (if any) is known here.
        headers.ContentSecurityPolicy = context.GetEndpoint()?.Metadata.GetMetadata<ContentSecurityPolicyMetadata>()?.Policy ?? ContentSecurityPolicy;
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        return next(context);
    });

    // Endpoints that are not ours (Orleans' dashboard) may name a policy of their own.
    public static TBuilder WithContentSecurityPolicy<TBuilder>(this TBuilder builder, string policy)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new ContentSecurityPolicyMetadata(policy));

    // Pages reached from a link carrying a secret: the secret must not leak to the next site.
    public static void NoReferrer(this HttpContext context) => context.Response.Headers["Referrer-Policy"] = "no-referrer";
}

public sealed record ContentSecurityPolicyMetadata(string Policy);
