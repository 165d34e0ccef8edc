using Events.Grains;
using Events.Grains.Questions;
using Events.Grains.Journal;
using Events.Web.Live;

namespace Events.Web.Questions;

// "qa:{slug}/{session}": a question asked, changed or moderated makes pages refetch their list (each
// viewer's own rendering, so pending questions and anonymous authors never travel to the wrong
// people). Votes travel as counts, coalesced by LiveForwarder (at most one frame a
// second per board, the last count per question wins). No delta names anyone.
public sealed class QuestionsTopic : ILiveTopic
{
    public const string Kind = "qa";
    public const string VotesKind = "votes";

    public const string Name = "qa";

    public string Prefix => Name;

    public string GrainType => QuestionBoardGrain.TypeName;

    public static string Of(SessionKey board) => LiveTopics.Name(Name, board.ToString());

    public bool IsCoalesced(GrainEvent grainEvent) => grainEvent.Event is QuestionVoted;

    public ValueTask<LiveDelta?> Project(string topic, GrainEvent grainEvent) => ValueTask.FromResult<LiveDelta?>(grainEvent.Event switch
    {
        QuestionVoted voted => new LiveDelta(topic, grainEvent.Sequence, VotesKind, new Dictionary<string, int> { [voted.QuestionId] = voted.Count }),
        BoardEvent => new LiveDelta(topic, grainEvent.Sequence, Kind, new { }),
        _ => null,
    });
}
