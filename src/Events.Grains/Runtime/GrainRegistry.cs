using System.Reflection;

namespace Events.Grains.Runtime;

internal sealed record GrainRegistration(string TypeName, Type Interface, Type Implementation, Type? EventType);

// Which class implements which grain interface, and the stable type name each is stored under.
public sealed class GrainRegistry
{
    private readonly Dictionary<Type, GrainRegistration> _byInterface = [];
    private readonly Dictionary<string, GrainRegistration> _byTypeName = new(StringComparer.Ordinal);

    public GrainRegistry Add<TInterface, TGrain>()
        where TInterface : IGrain
        where TGrain : Grain, TInterface
    {
        var implementation = typeof(TGrain);
        var typeName = implementation.GetCustomAttribute<GrainTypeAttribute>()?.Name
            ?? throw new InvalidOperationException($"{implementation.Name} needs a [GrainType(\"...\")] attribute: it names the grain's journal in storage.");

        foreach (var method in typeof(TInterface).GetMethods())
        {
            var returns = method.ReturnType;
            if (returns != typeof(Task) && !(returns.IsGenericType && returns.GetGenericTypeDefinition() == typeof(Task<>)))
            {
                throw new InvalidOperationException($"{typeof(TInterface).Name}.{method.Name} must return Task or Task<T>: grain calls are asynchronous.");
            }
        }

        if (_byTypeName.ContainsKey(typeName))
        {
            throw new InvalidOperationException($"Two grain classes use the grain type name '{typeName}'.");
        }

        var registration = new GrainRegistration(typeName, typeof(TInterface), implementation, FindEventType(implementation));
        _byInterface.Add(typeof(TInterface), registration);
        _byTypeName.Add(typeName, registration);
        return this;
    }

    internal GrainRegistration Get(Type grainInterface) =>
        _byInterface.TryGetValue(grainInterface, out var registration)
            ? registration
            : throw new InvalidOperationException($"No grain class is registered for {grainInterface.Name}.");

    internal GrainRegistration Get(string typeName) =>
        _byTypeName.TryGetValue(typeName, out var registration)
            ? registration
            : throw new InvalidOperationException($"No grain class is registered under the type name '{typeName}'.");

    private static Type? FindEventType(Type implementation)
    {
        for (var type = implementation; type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(JournaledGrain<,>))
            {
                return type.GetGenericArguments()[1];
            }
        }

        return null;
    }
}
