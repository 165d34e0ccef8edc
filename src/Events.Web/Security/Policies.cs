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
        options.AddPolicy(SiteOrganiser, p => p.RequireAuthenticatedUser().AddRequirements(new EventRoleRequirement(EventRole.None)));
        options.AddPolicy(EventOrganiser, p => p.RequireAuthenticatedUser().AddRequirements(new EventRoleRequirement(EventRole.Organiser)));
        options.AddPolicy(EventModerator, p => p.RequireAuthenticatedUser().AddRequirements(new EventRoleRequirement(EventRole.Organiser | EventRole.Moderator)));
        options.AddPolicy(EventPresenter, p => p.RequireAuthenticatedUser().AddRequirements(new EventRoleRequirement(EventRole.Organiser | EventRole.Presenter)));
        options.AddPolicy(EventInvestor, p => p.RequireAuthenticatedUser().AddRequirements(new EventRoleRequirement(EventRole.Organiser | EventRole.Investor)));
        options.AddPolicy(EventMember, p => p.RequireAuthenticatedUser().AddRequirements(new EventRoleRequirement(
            EventRole.Organiser | EventRole.Moderator | EventRole.Presenter | EventRole.Investor | EventRole.Attendee)));
    }

    // Whether the signed-in person holds a policy for one event: for showing or hiding controls.
    // (What they may do is still checked where each endpoint is mapped.)
    public static async Task<bool> MayAsync(this HttpContext http, string slug, string policy) =>
        http.User.Email() is not null
        && (await http.RequestServices.GetRequiredService<IAuthorizationService>().AuthorizeAsync(http.User, new EventScope(slug), policy)).Succeeded;

    public static string? Email(this ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirstValue(ClaimTypes.Email) : null;
}

// What a check outside an HTTP route is about: one event.
public sealed record EventScope(string Slug);

// Holds when the person has any of the roles in the event named by the route's {slug}, or
// organises the whole site. AnyOf = None means "site organisers only".
public sealed record EventRoleRequirement(EventRole AnyOf) : IAuthorizationRequirement;

// Reads roles from the grains on every check, so a revoked role stops working on the next request.
// The event's own membership is asked first: on a busy board nearly every check is an attendee's,
// which then costs one grain call instead of two (the site's organisers, one grain for the whole
// site, are asked only when the membership does not answer).
public sealed class EventRoleHandler(IGrainFactory grains) : AuthorizationHandler<EventRoleRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, EventRoleRequirement requirement)
    {
        if (context.User.Email() is not { } email)
        {
            return;
        }

        if (requirement.AnyOf != EventRole.None && EventSlug(context.Resource) is { } slug
            && await grains.Reference<IEventAccessGrain>(slug).GetMembershipAsync(email) is { } membership
            && (membership.Roles & requirement.AnyOf) != EventRole.None)
        {
            context.Succeed(requirement);
            return;
        }

        if (await grains.Reference<ISiteGrain>(ISiteGrain.Key).IsOrganiserAsync(email))
        {
            context.Succeed(requirement);
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
