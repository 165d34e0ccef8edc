using Events.Grains;
using Events.Grains.Journal;
using Events.Grains.Polls;
using Events.Web.Live;

namespace Events.Web.Polls;

// "polls:{slug}/{session}": preparing, launching, closing and moderating make pages refetch their
// region (each viewer's own rendering). Answers travel as a map of counts coalesced in the topic's
// lane (at most one push a second, under 200 bytes for five options): "{poll}" how many answered,
// and when the audience may see results "{poll}/{i}" per option (choice and ranking polls) or
// "{poll}/refetch" (other kinds, whose results are refetched). No delta names anyone.
public sealed class PollsTopic : ILiveTopic
{
    public const string Kind = "poll";
    public const string CountsKind = "pollcounts";

    public const string Name = "polls";

    public string Prefix => Name;

    public string GrainType => PollsGrain.TypeName;

    public static string Of(SessionKey polls) => LiveTopics.Name(Name, polls.ToString());

    public bool IsCoalesced(GrainEvent grainEvent) => grainEvent.Event is PollAnswered;

    public ValueTask<LiveDelta?> Project(string topic, GrainEvent grainEvent) => ValueTask.FromResult<LiveDelta?>(grainEvent.Event switch
    {
        PollAnswered answered => new LiveDelta(topic, grainEvent.Sequence, CountsKind, Counts(answered)),
        PollEvent => new LiveDelta(topic, grainEvent.Sequence, Kind, new { }),
        _ => null,
    });

    private static Dictionary<string, int> Counts(PollAnswered answered)
    {
        var counts = new Dictionary<string, int> { [answered.PollId] = answered.Respondents };
        if (!answered.ResultsShown)
        {
            return counts;
        }

        if (answered.Counts.IsDefaultOrEmpty)
        {
            counts[$"{answered.PollId}/refetch"] = 1;
        }

        for (var i = 0; i < (answered.Counts.IsDefault ? 0 : answered.Counts.Length); i++)
        {
            counts[$"{answered.PollId}/{i}"] = answered.Counts[i];
        }

        return counts;
    }
}
