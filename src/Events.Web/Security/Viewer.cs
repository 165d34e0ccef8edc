using System.Security.Claims;
using Events.Grains;
using Events.Grains.People;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Orleans;

namespace Events.Web.Security;

// Who is asking, worked out at most once per HTTP request or hub call, the first time anything
// asks: the person's address, their roles in each event asked about, whether they organise the
// whole site. Every policy check and every role-dependent control of one request reads it, so a page
// with ten such controls asks the grains once. It lives in the service scope of the request or of
// the hub call, never longer: a hub connection lives for hours, and a role granted or withdrawn
// must count on its next call.
public sealed class Viewer
{
    private readonly IGrainFactory _grains;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Task<Membership?>> _memberships = new(StringComparer.Ordinal);
    private Task<bool>? _siteOrganiser;

    internal Viewer(IGrainFactory grains, ClaimsPrincipal? user)
    {
        _grains = grains;
        Email = user?.Email();
    }

    // Null when nobody is signed in.
    public string? Email { get; }

    // For what only runs behind a policy, which always requires a signed-in person.
    public string SignedInEmail => Email ?? throw new InvalidOperationException("Reached without a signed-in person: the endpoint or hub method names no policy.");

    public Task<Membership?> MembershipAsync(string slug)
    {
        if (Email is not { } email)
        {
            return Task.FromResult<Membership?>(null);
        }

        lock (_lock)
        {
            if (!_memberships.TryGetValue(slug, out var membership))
            {
                membership = _grains.Reference<IEventAccessGrain>(slug).GetMembershipAsync(email);
                _memberships[slug] = membership;
            }

            return membership;
        }
    }

    public async Task<EventRole> RolesInAsync(string slug) => (await MembershipAsync(slug))?.Roles ?? EventRole.None;

    // Site organisers create events and act as organisers of every event.
    public Task<bool> IsSiteOrganiserAsync()
    {
        if (Email is not { } email)
        {
            return Task.FromResult(false);
        }

        lock (_lock)
        {
            return _siteOrganiser ??= _grains.Reference<ISiteGrain>(ISiteGrain.Key).IsOrganiserAsync(email);
        }
    }

    // Any of the roles in the event, or the site's organisers. The event's own membership is asked
    // first: on a busy board nearly every check is an attendee's, which then costs one grain call
    // instead of two (the site's organisers, one grain for the whole site, are asked only when the
    // membership does not answer). Without an event, only the site's organisers hold it.
    public async Task<bool> HoldsAnyAsync(string? slug, EventRole anyOf) =>
        Email is not null
        && ((slug is not null && (await RolesInAsync(slug) & anyOf) != EventRole.None) || await IsSiteOrganiserAsync());

    public static Viewer Of(HttpContext http) => http.RequestServices.GetRequiredService<ViewerScope>().For(http.User);

    // SignalR gives each hub call a service scope of its own (the hub instance is made in it too).
    public static Viewer Of(HubInvocationContext call) => call.ServiceProvider.GetRequiredService<ViewerScope>().For(call.Context.User);
}

// The one viewer of a service scope: an HTTP request, or one hub call.
public sealed class ViewerScope(IGrainFactory grains)
{
    private Viewer? _viewer;

    public Viewer For(ClaimsPrincipal? user) =>
        _viewer ?? Interlocked.CompareExchange(ref _viewer, new Viewer(grains, user), null) ?? _viewer;
}

public static class ViewerExtensions
{
    public static Viewer Viewer(this HttpContext http) => Security.Viewer.Of(http);
}
