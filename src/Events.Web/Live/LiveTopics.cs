using Events.Grains.Journal;
using Orleans;

namespace Events.Web.Live;

// A kind of live topic ("announcements:{slug}"): which grain it follows, who may follow it, and how
// that grain's events become deltas. Each feature registers its own.
public interface ILiveTopic
{
    // Each topic class names its prefix and its grain's [GrainType] once, as constants that pages
    // and endpoints use too (its static Of builds the full topic name).
    string Prefix { get; }

    // The grain type whose journal feeds this topic.
    string GrainType { get; }

    // Null: anyone may follow. Otherwise a policy from Security.Policies, checked per event.
    string? Policy => null;

    // Beyond the policy: whether this person may follow this key (a person's own topic).
    bool MayFollow(System.Security.Claims.ClaimsPrincipal user, string key) => true;

    // Asynchronous for a topic whose delta carries markup rendered by a component (ComponentHtml);
    // topics that send data return at once.
    ValueTask<LiveDelta?> Project(string topic, GrainEvent grainEvent);

    // Events whose deltas are coalesced before they are pushed (votes: a map of counts by id); catch-up
    // sends them one by one.
    bool IsCoalesced(GrainEvent grainEvent) => false;
}

public sealed class LiveTopics(IEnumerable<ILiveTopic> kinds)
{
    public const int MaxCatchUpEvents = 100;

    private readonly Dictionary<string, ILiveTopic> _byPrefix = kinds.ToDictionary(k => k.Prefix);
    private readonly Dictionary<string, ILiveTopic> _byGrainType = kinds.ToDictionary(k => k.GrainType);

    public static string Name(string prefix, string key) => $"{prefix}:{key}";

    public (ILiveTopic Kind, string Key)? Resolve(string topic)
    {
        var colon = topic.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon < topic.Length - 1 && topic.Length <= 200 && _byPrefix.TryGetValue(topic[..colon], out var kind)
            ? (kind, topic[(colon + 1)..])
            : null;
    }

    // Whether a committed event's grain feeds a topic: cheap enough for the committing grain's turn,
    // where the event is only noted; it is projected later, off that turn.
    public bool Follows(GrainEvent grainEvent) => _byGrainType.ContainsKey(grainEvent.Grain.Type);

    // What to push for a committed event, and whether it is coalesced (its data is a map of counts
    // by id, the last count per id wins) rather than pushed on its own.
    public async ValueTask<LivePush?> ProjectLiveAsync(GrainEvent grainEvent) =>
        _byGrainType.TryGetValue(grainEvent.Grain.Type, out var kind) && await kind.Project(Name(kind.Prefix, grainEvent.Grain.Key), grainEvent) is { } delta
            ? new LivePush(delta, kind.IsCoalesced(grainEvent))
            : null;

    // A subscriber's missed events, each projected in turn, in order (catch-up is never coalesced).
    public static async Task<IReadOnlyList<LiveDelta>> ProjectEachAsync(ILiveTopic kind, string topic, IEnumerable<GrainEvent> events)
    {
        var deltas = new List<LiveDelta>();
        foreach (var grainEvent in events)
        {
            if (await kind.Project(topic, grainEvent) is { } delta)
            {
                deltas.Add(delta);
            }
        }

        return deltas;
    }
}

public sealed record LivePush(LiveDelta Delta, bool Coalesced);
