using Events.Grains.Journal;

namespace Events.Grains.Audit;

// Every grain whose events include audited ones hands them to its event's audit trail. Per-event
// grains are keyed "{slug}" or "{slug}/{thing}", so the slug is the key up to the first '/'.
internal static class AuditTrail
{
    public static Follower Follower { get; } = new((grains, source) => grains.GetGrain<IAuditTrailGrain>(EventSlug(source)), e => e is IAuditedEvent);

    // How the journal learns of the trail without naming it (registered by AddEventGrains).
    public static StandingFollower Standing { get; } = new(Follower, Audits);

    // Whether any event of a grain's event hierarchy is audited: the others never call the trail.
    public static bool Audits(Type eventBase) =>
        eventBase.Assembly.GetTypes().Any(t => eventBase.IsAssignableFrom(t) && typeof(IAuditedEvent).IsAssignableFrom(t));

    public static string EventSlug(JournalKey source) => EventKeys.SlugOf(source.Key);
}
