using Events.Web.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Events.Web.Mail;

public static class OutboxEndpoints
{
    // Mapped only in Development: it shows every sign-in link the server wrote.
    public static IEndpointRouteBuilder MapOutbox(this IEndpointRouteBuilder app)
    {
        app.MapGet("/dev/outbox", (OutboxMailSender outbox) => Pages.Render(new OutboxPage { Messages = outbox.ReadAll() }))
            .AllowAnonymous();
        return app;
    }
}
