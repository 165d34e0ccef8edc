using System.Reflection;
using System.Text.Json;

namespace Events.Grains.Journal;

// Reads a grain's journal after a sequence number, for a client that saw up to there. Reads the
// store directly: committed events never change, so no grain needs to be woken for it.
public sealed class JournalReader(IJournalStore store)
{
    private static readonly IReadOnlyDictionary<string, Type> EventTypes = FindEventTypes(typeof(JournalReader).Assembly);

    public async Task<IReadOnlyList<GrainEvent>> ReadEventsAsync(JournalKey journal, long afterSequence, int maxCount, CancellationToken cancellationToken = default)
    {
        var eventType = EventTypes.TryGetValue(journal.Type, out var type)
            ? type
            : throw new InvalidOperationException($"Grain type '{journal.Type}' keeps no journal.");
        var stored = await store.ReadEventsAsync(journal, afterSequence, maxCount, cancellationToken);
        return stored
            .Select(e => new GrainEvent(journal, e.Sequence, JsonSerializer.Deserialize(e.Payload, eventType, GrainJson.Options)!, e.RecordedAt))
            .ToList();
    }

    // Grain type name → event base type, for every JournalGrain<,> with a [GrainType].
    internal static IReadOnlyDictionary<string, Type> FindEventTypes(Assembly assembly)
    {
        var types = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var grain in assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false }))
        {
            if (grain.GetCustomAttribute<GrainTypeAttribute>() is not { } name)
            {
                continue;
            }

            for (var type = grain.BaseType; type is not null; type = type.BaseType)
            {
                if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(JournalGrain<,>))
                {
                    types.Add(name.GetGrainType(null!, grain).ToString()!, type.GetGenericArguments()[1]);
                    break;
                }
            }
        }

        return types;
    }
}
