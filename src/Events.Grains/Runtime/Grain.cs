namespace Events.Grains.Runtime;

// Marker for grain interfaces. Every method on a grain interface returns Task or Task<T>;
// the runtime checks that when the grain is registered.
public interface IGrain;

public interface IGrainFactory
{
    TGrain GetGrain<TGrain>(string key) where TGrain : IGrain;
}

// The stable name a grain kind is stored under. Renaming the class must not orphan its journal.
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class GrainTypeAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

public readonly record struct GrainId(string Type, string Key)
{
    public override string ToString() => $"{Type}/{Key}";
}

public abstract class Grain
{
    private GrainContext? _context;

    internal GrainContext Context => _context ?? throw new InvalidOperationException("The grain is not attached to a runtime.");

    protected GrainId Id => Context.Id;

    protected string Key => Context.Id.Key;

    protected IGrainFactory GrainFactory => Context.Runtime;

    internal void Attach(GrainContext context) => _context = context;

    internal virtual Task ActivateAsync(CancellationToken cancellationToken) => OnActivateAsync(cancellationToken);

    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual Task OnDeactivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

internal sealed record GrainContext(GrainId Id, GrainRuntime Runtime);

public sealed class GrainConcurrencyException(GrainId id, int attempts)
    : Exception($"Grain {id} could not commit after {attempts} attempts: other writers kept appending to its journal. Nothing from this call was stored.")
{
    public GrainId GrainId { get; } = id;
}
