using Events.Grains.Journal;
using Orleans;
using Events.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Events.Web.Live;

// The one hub. Anyone may connect and follow public topics; methods that change something name
// their policy (see the feature files: LiveHub.*.cs), checked on every call.
[AllowAnonymous]
public sealed partial class LiveHub(LiveTopics topics, JournalReader journal, IGrainFactory grains, IAuthorizationService authorization, ViewerScope viewers) : Hub<ILiveClient>
{
    public const string Path = "/live";

    // Per call and per connection: a page follows a handful of regions; a connection that asks for
    // more is not a page (each topic is a group to keep and a journal to read).
    public const int MaxSubscriptions = 20;

    private static readonly object FollowedKey = new();

    public async Task<IReadOnlyList<CatchUp>> Subscribe(IReadOnlyList<LiveSubscription> subscriptions)
    {
        var followed = Context.Items.TryGetValue(FollowedKey, out var found) ? (HashSet<string>)found! : (HashSet<string>)(Context.Items[FollowedKey] = new HashSet<string>(StringComparer.Ordinal));
        if (subscriptions is null || subscriptions.Count > MaxSubscriptions
            || followed.Union(subscriptions.Select(s => s.Topic ?? "")).Count() > MaxSubscriptions)
        {
            throw new HubException(Localization.Text.Format(Language, "live.subscriptions", MaxSubscriptions));
        }

        IReadOnlyList<Events.Grains.Catalog.EventListing>? events = null;
        var caughtUp = new List<CatchUp>();
        foreach (var subscription in subscriptions)
        {
            // A topic of an event that does not exist is refused before anything is read or joined.
            events ??= await grains.GetGrain<Events.Grains.Catalog.IEventCatalogGrain>(Events.Grains.Catalog.IEventCatalogGrain.CatalogKey).ListAsync();
            if (topics.Resolve(subscription.Topic ?? "") is not { } resolved
                || !events.Any(e => e.Slug == Events.Grains.EventKeys.SlugOf(resolved.Key)))
            {
                throw new HubException(Localization.Text.Format(Language, "live.unknown-topic", subscription.Topic));
            }

            if (resolved.Kind.Policy is { } policy
                && !(await authorization.AuthorizeAsync(Context.User ?? new(), new EventScope(Events.Grains.EventKeys.SlugOf(resolved.Key), Viewer), policy)).Succeeded)
            {
                throw new HubException(Localization.Text.Format(Language, "live.forbidden-topic", subscription.Topic));
            }

            if (!resolved.Kind.MayFollow(Context.User ?? new(), resolved.Key))
            {
                throw new HubException(Localization.Text.Format(Language, "live.forbidden-topic", subscription.Topic));
            }

            // Join first, then read: an event committed in between arrives twice and the client
            // drops the copy by its sequence number, instead of being missed.
            followed.Add(subscription.Topic!);
            await Groups.AddToGroupAsync(Context.ConnectionId, subscription.Topic!);
            var missed = await journal.ReadEventsAsync(new JournalKey(resolved.Kind.GrainType, resolved.Key), Math.Max(0, subscription.After), MaxCatchUpEventsPlusOne);
            caughtUp.Add(missed.Count > LiveTopics.MaxCatchUpEvents
                ? new CatchUp(subscription.Topic!, true, [])
                : new CatchUp(subscription.Topic!, false, await LiveTopics.ProjectEachAsync(resolved.Kind, subscription.Topic!, missed)));
        }

        return caughtUp;
    }

    private const int MaxCatchUpEventsPlusOne = LiveTopics.MaxCatchUpEvents + 1;

    // For the feature parts of this partial class (primary constructor parameters are not visible there).
    private IGrainFactory Grains => grains;

    // Who is calling, for this call only: the hub instance lives in the call's own service scope,
    // where the authorization of the call found the same viewer.
    private Viewer Viewer => viewers.For(Context.User);

    private string Language => Localization.Text.LanguageOf(Context.GetHttpContext());
}
