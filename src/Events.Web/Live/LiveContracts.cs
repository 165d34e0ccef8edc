using System.Text.Json.Serialization;

namespace Events.Web.Live;

// What the server pushes: one committed change of one topic. Short names keep frames small on 2G.
// Previous: the sequence of the push before this one on the topic (absent in catch-up answers and
// on a silo's first push of a topic); a page showing less than that missed something and catches
// up by sequence instead of skipping it.
public sealed record LiveDelta(
    [property: JsonPropertyName("t")] string Topic,
    [property: JsonPropertyName("s")] long Sequence,
    [property: JsonPropertyName("k")] string Kind,
    [property: JsonPropertyName("d")] object Data)
{
    [JsonPropertyName("p")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Previous { get; init; }
}

// "I have seen this topic up to sequence After."
public sealed record LiveSubscription(string Topic, long After);

// What a subscriber missed, or Reload when it is too far behind to send event by event.
public sealed record CatchUp(
    [property: JsonPropertyName("t")] string Topic,
    [property: JsonPropertyName("reload")] bool Reload,
    [property: JsonPropertyName("deltas")] IReadOnlyList<LiveDelta> Deltas);

public interface ILiveClient
{
    Task Delta(LiveDelta delta);

    // This silo may have missed events committed on another: subscribe again from the sequence
    // numbers shown, which catches up exactly what was missed.
    Task CatchUp();
}
