using System.Security.Claims;
using Events.Grains;
using Events.Grains.People;
using Orleans;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Web.Security;

// The one authorization mechanism: every endpoint names one of these where it is mapped, or is
// explicitly anonymous. Anything else falls back to "signed in" (see AddEventsSecurity).
public static class Policies
{
    public const string SignedIn = "signed-in";
    public const string SiteOrganiser = "site-organiser";
    public const string EventOrganiser = "event-organiser";
    public const string EventModerator = "event-moderator";
    public const string EventPresenter = "event-presenter";
    public const string EventInvestor = "event-investor";
    public const string EventMember = "event-member";

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(SignedIn, p => p.RequireAuthenticatedUser());
        options.AddPolicy(SiteOrganiser, p => p.RequireAuthenticatedUser().AddRequirements(SiteOrganiserRequirement.Instance));
        options.AddPolicy(EventOrganiser, p => p.RequireAuthenticatedUser().AddRequirements(new EventRoleRequirement(EventRole.Organiser)));
        options.AddPolicy(EventModerator, p => p.RequireAuthenticatedUser().AddRequirements(new EventRoleRequirement(EventRole.Organiser | EventRole.Moderator)));
        options.AddPolicy(EventPresenter, p => p.RequireAuthenticatedUser().AddRequirements(new EventRoleRequirement(EventRole.Organiser | EventRole.Presenter)));
        options.AddPolicy(EventInvestor, p => p.RequireAuthenticatedUser().AddRequirements(new EventRoleRequirement(EventRole.Organiser | EventRole.Investor)));
        options.AddPolicy(EventMember, p => p.RequireAuthenticatedUser().AddRequirements(new EventRoleRequirement(
            EventRole.Organiser | EventRole.Moderator | EventRole.Presenter | EventRole.Investor | EventRole.Attendee)));
    }

    // Whether the signed-in person holds a policy for one event: for showing or hiding controls.
    // (What they may do is still checked where each endpoint is mapped.) Reads the request's viewer,
    // so asking for ten controls costs the grains what asking for one does.
    public static async Task<bool> MayAsync(this HttpContext http, string slug, string policy) =>
        http.User.Email() is not null
        && (await http.RequestServices.GetRequiredService<IAuthorizationService>().AuthorizeAsync(http.User, new EventScope(slug, http.Viewer()), policy)).Succeeded;

    public static string? Email(this ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirstValue(ClaimTypes.Email) : null;
}

// What a check outside an HTTP route or a hub method is about: one event, for one viewer.
public sealed record EventScope(string Slug, Viewer Viewer);

// Holds when the person has any of the roles in the event named by the route's {slug} (or the hub
// method's first argument), or organises the whole site.
public sealed record EventRoleRequirement(EventRole AnyOf) : IAuthorizationRequirement;

// Holds for the site's organisers only: they create events (and hold every event's roles).
public sealed class SiteOrganiserRequirement : IAuthorizationRequirement
{
    public static SiteOrganiserRequirement Instance { get; } = new();

    private SiteOrganiserRequirement()
    {
    }
}

// Both requirements read the viewer of the request or hub call, which asks the grains at most once
// each and never outlives it, so a revoked role stops working on the next request or hub call.
public sealed class ViewerHandler(IGrainFactory grains) : IAuthorizationHandler
{
    public async Task HandleAsync(AuthorizationHandlerContext context)
    {
        if (!context.PendingRequirements.Any(r => r is EventRoleRequirement or SiteOrganiserRequirement))
        {
            return;
        }

        var viewer = context.Resource switch
        {
            HttpContext http => http.Viewer(),
            HubInvocationContext call => Viewer.Of(call),
            EventScope scope => scope.Viewer,
            // A check about nothing in particular: a viewer of its own.
            _ => new Viewer(grains, context.User),
        };

        foreach (var requirement in context.PendingRequirements.ToList())
        {
            var holds = requirement switch
            {
                EventRoleRequirement roles => await viewer.HoldsAnyAsync(EventSlug(context.Resource), roles.AnyOf),
                SiteOrganiserRequirement => await viewer.IsSiteOrganiserAsync(),
                _ => false,
            };
            if (holds)
            {
                context.Succeed(requirement);
            }
        }
    }

    private static string? EventSlug(object? resource) => resource switch
    {
        HttpContext http => http.GetRouteValue("slug") as string,
        EventScope scope => scope.Slug,
        // Event-scoped hub methods take the event's slug as their first argument.
        HubInvocationContext hub => hub.HubMethodArguments.FirstOrDefault() as string,
        _ => null,
    };
}
