using System.Text.Json;

namespace Events.Grains.Journal;

// One serializer setup for journals and snapshots. Event records declare their stored names with
// [JsonDerivedType]; those names are part of the database format and never change.
public static class GrainJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        // PostgreSQL's jsonb does not keep key order, so "$type" may come back after other keys.
        AllowOutOfOrderMetadataProperties = true,
    };
}
