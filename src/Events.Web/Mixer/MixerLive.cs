using Events.Grains;
using Events.Grains.Mixer;
using Events.Grains.Journal;
using Orleans;
using Events.Web.Live;

namespace Events.Web.Mixer;

// "mixer:{slug}/{session}": line-up changes and timeline controls as compact deltas; pages refetch
// their mixer region, whose countdown then runs from the server's timestamp.
public sealed class MixerTopic : ILiveTopic
{
    public const string Kind = "mixer";

    public const string Name = "mixer";

    public string Prefix => Name;

    public string GrainType => MixerSlotGrain.TypeName;

    public static string Of(SessionKey slot) => LiveTopics.Name(Name, slot.ToString());

    public ValueTask<LiveDelta?> Project(string topic, GrainEvent grainEvent) => ValueTask.FromResult<LiveDelta?>(grainEvent.Event switch
    {
        MixerControlled controlled => new LiveDelta(topic, grainEvent.Sequence, Kind, new { c = controlled.Control.ToString(), at = controlled.At.ToUnixTimeMilliseconds() }),
        InterventionAccepted or InterventionMoved or InterventionDeclined or InterventionProposed =>
            new LiveDelta(topic, grainEvent.Sequence, Kind, new { c = "LineUp" }),
        _ => null,
    });
}
