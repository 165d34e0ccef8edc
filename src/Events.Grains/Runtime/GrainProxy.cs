using System.Reflection;

namespace Events.Grains.Runtime;

// What GetGrain hands out: every interface call becomes a turn on the grain's activation.
public class GrainProxy : DispatchProxy
{
    private GrainRuntime? _runtime;
    private GrainId _id;

    internal void Bind(GrainRuntime runtime, GrainId id)
    {
        _runtime = runtime;
        _id = id;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var runtime = _runtime ?? throw new InvalidOperationException("The grain reference is not bound to a runtime.");
        return runtime.Dispatch(_id, targetMethod, args ?? []);
    }

    public override string ToString() => _id.ToString();
}
