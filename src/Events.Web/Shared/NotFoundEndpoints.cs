using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Events.Web.Shared;

public static class NotFoundEndpoints
{
    // Unknown addresses get a plain 404 page for everyone, instead of the sign-in redirect that
    // the fallback authorization policy would otherwise give to an unmatched request.
    public static IEndpointRouteBuilder MapNotFound(this IEndpointRouteBuilder app)
    {
        app.MapFallback("{**path}", () => Pages.Message(StatusCodes.Status404NotFound, "message.not-found", "message.no-page")).AllowAnonymous();
        return app;
    }
}
