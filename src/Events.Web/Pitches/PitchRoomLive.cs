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

    public string Prefix => "pitch";

    public string GrainType => "pitch-room";

    public string? Policy => null;

    public string RefreshUrl(string key) => key.Split('/') is [var slug, var session] ? $"/events/{slug}/rooms/{session}/live" : "/";

    public LiveDelta? Project(string topic, GrainEvent grainEvent) => grainEvent.Event switch
    {
        PitchControlled controlled => new LiveDelta(topic, grainEvent.Sequence, Kind, new { team = controlled.Team, c = controlled.Control.ToString(), at = controlled.At.ToUnixTimeMilliseconds() }),
        PitchAdded added => new LiveDelta(topic, grainEvent.Sequence, Kind, new { team = added.Team, c = "Added" }),
        _ => null,
    };
}
