using Events.Grains.Journal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Events.Web.Shared;

public static class ConflictPages
{
    // A grain refuses a write that met another writer's (two clusters on one database, or a
    // failover) and stores nothing: the person is told so plainly, with a 409, instead of a 500.
    public static IApplicationBuilder UseConflictPages(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (ex is JournalConflictException or StateConflictException && !context.Response.HasStarted)
        {
            context.Response.Clear();
            await Pages.Message(StatusCodes.Status409Conflict, "message.conflict", "message.conflict-retry").ExecuteAsync(context);
        }
    });
}
