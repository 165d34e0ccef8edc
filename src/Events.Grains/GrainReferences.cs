using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Events.Grains;

// Orleans' GetGrain<T>(key) (10.4.2) reads T's custom attributes by reflection on every call to
// find its interface type: about 4% of a vote's CPU, and garbage, on the paths that run per hub
// call or per request (authorization, the read-only check, the board). A grain reference is
// immutable and may be shared, so those paths keep theirs, per grain factory (a test process runs
// several clusters) and for a bounded number of keys.
public static class GrainReferences
{
    private const int MaxKeys = 10_000;

    private static readonly ConditionalWeakTable<IGrainFactory, ConcurrentDictionary<(Type Interface, string Key), IAddressable>> Kept = new();

    public static T Reference<T>(this IGrainFactory grains, string key)
        where T : IGrainWithStringKey
    {
        var references = Kept.GetValue(grains, static _ => new());
        if (references.TryGetValue((typeof(T), key), out var kept))
        {
            return (T)kept;
        }

        if (references.Count >= MaxKeys)
        {
            references.Clear();
        }

        var reference = grains.GetGrain<T>(key);
        references[(typeof(T), key)] = reference;
        return reference;
    }
}
