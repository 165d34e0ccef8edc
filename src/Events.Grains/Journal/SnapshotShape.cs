using System.Collections.Concurrent;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Events.Grains.Journal;

// A snapshot is stored with the shape of the state that wrote it: a fingerprint of the state's
// type (its properties' names and types, down through our own types and derived event/state
// types) plus the state's SnapshotVersion, which a change to Apply bumps by hand (a fix to how
// events fold changes no type, yet old snapshots hold the old result). A snapshot of another
// shape, or one that does not read, is ignored and the state replayed from the journal; the next
// snapshot is written in the current shape.
internal static class SnapshotShape
{
    private static readonly ConcurrentDictionary<Type, string> Fingerprints = new();

    public static string Of<TState, TEvent>()
        where TState : class, IJournaledState<TState, TEvent>
        where TEvent : class =>
        Fingerprints.GetOrAdd(typeof(TState), type =>
        {
            var text = new StringBuilder();
            Describe(type, text, []);
            text.Append("|v").Append(TState.SnapshotVersion);
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
        });

    public static string Write<TState, TEvent>(TState state)
        where TState : class, IJournaledState<TState, TEvent>
        where TEvent : class =>
        JsonSerializer.Serialize(new Envelope<TState>(Of<TState, TEvent>(), state), GrainJson.Options);

    // The state in a snapshot of the current shape; null for any other shape or an unreadable one.
    public static TState? Read<TState, TEvent>(string payload)
        where TState : class, IJournaledState<TState, TEvent>
        where TEvent : class
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("shape", out var shape)
                || shape.ValueKind != JsonValueKind.String
                || shape.GetString() != Of<TState, TEvent>()
                || !document.RootElement.TryGetProperty("state", out var state))
            {
                return null;
            }

            return state.Deserialize<TState>(GrainJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    private static void Describe(Type type, StringBuilder text, HashSet<Type> seen)
    {
        text.Append(type.IsGenericType ? type.GetGenericTypeDefinition().FullName : type.FullName);
        if (type.IsGenericType)
        {
            text.Append('<');
            foreach (var argument in type.GetGenericArguments())
            {
                Describe(argument, text, seen);
                text.Append(',');
            }

            text.Append('>');
        }

        if (type.IsArray)
        {
            Describe(type.GetElementType()!, text, seen);
        }

        // Only our own types are walked: the framework's collections and primitives are leaves.
        if (type.Namespace?.StartsWith("Events", StringComparison.Ordinal) != true || !seen.Add(type))
        {
            return;
        }

        text.Append('{');
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            if (property.GetIndexParameters().Length > 0 || property.IsDefined(typeof(JsonIgnoreAttribute)))
            {
                continue;
            }

            text.Append(property.Name).Append(':');
            Describe(property.PropertyType, text, seen);
            text.Append(';');
        }

        foreach (var derived in type.GetCustomAttributes<JsonDerivedTypeAttribute>().OrderBy(d => d.DerivedType.FullName, StringComparer.Ordinal))
        {
            text.Append('+').Append(derived.TypeDiscriminator).Append('=');
            Describe(derived.DerivedType, text, seen);
        }

        if (type.IsEnum)
        {
            text.Append(string.Join(',', Enum.GetNames(type)));
        }

        text.Append('}');
    }

    private sealed record Envelope<TState>(string Shape, TState State);
}
