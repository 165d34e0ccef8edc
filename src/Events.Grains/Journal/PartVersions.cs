using System.Collections.Immutable;

namespace Events.Grains.Journal;

// The sequence number of the event that last changed each part of a state (a session, a question),
// kept by the state as it folds: a page refetching a live region is sent again only the parts
// changed since the rendering it shows. Sequence counts the events folded, which is the journal's
// sequence number of the last one (journals number their events 1, 2, 3… per grain).
[GenerateSerializer, Immutable]
public sealed record PartVersions(long Sequence, ImmutableDictionary<string, long> ByPart)
{
    public static PartVersions Initial { get; } = new(0, ImmutableDictionary<string, long>.Empty);

    // The sequence number of the event being folded now.
    public long Next => Sequence + 1;

    public PartVersions Folded(IEnumerable<string> changedParts)
    {
        var next = Next;
        return new(next, ByPart.SetItems(changedParts.Select(part => KeyValuePair.Create(part, next))));
    }

    // A part this state never saw change counts as changed now: it is always sent in full.
    public long Of(string part) => ByPart.TryGetValue(part, out var version) ? version : long.MaxValue;
}
