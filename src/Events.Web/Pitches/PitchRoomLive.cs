using Events.Grains;
using Events.Grains.Pitches;
using Events.Grains.Journal;
using Orleans;
using Events.Web.Live;

namespace Events.Web.Pitches;

// "pitch:{slug}/{session}": a pitch added or moved to its next phase makes pages refetch the room
// region (which carries the countdown's end timestamp). Scorecards are never projected: nothing
// an investor types travels to the room's subscribers, not even that it happened.
public sealed class PitchRoomTopic : ILiveTopic
{
    public const string Kind = "pitch";

    public const string Name = "pitch";

    public string Prefix => Name;

    public string GrainType => PitchRoomGrain.TypeName;

    public static string Of(SessionKey room) => LiveTopics.Name(Name, room.ToString());

    public ValueTask<LiveDelta?> Project(string topic, GrainEvent grainEvent) => ValueTask.FromResult<LiveDelta?>(grainEvent.Event switch
    {
        PitchControlled controlled => new LiveDelta(topic, grainEvent.Sequence, Kind, new { team = controlled.Team, c = controlled.Control.ToString(), at = controlled.At.ToUnixTimeMilliseconds() }),
        PitchAdded added => new LiveDelta(topic, grainEvent.Sequence, Kind, new { team = added.Team, c = "Added" }),
        _ => null,
    });
}
