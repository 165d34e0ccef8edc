using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Events.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Events.Grains.Runtime;

// A small, Orleans-shaped grain runtime: activation on first call, one call at a time per
// activation, journaled state with optimistic concurrency, idle deactivation.
public sealed class GrainRuntime : IGrainFactory, IAsyncDisposable
{
    private static readonly MethodInfo TypedInvoke =
        typeof(GrainRuntime).GetMethod(nameof(InvokeTyped), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly ConcurrentDictionary<GrainId, GrainActivation> _activations = new();
    private readonly ConcurrentDictionary<MethodInfo, Func<GrainRuntime, GrainId, MethodInfo, object?[], object>> _invokers = new();
    private readonly IServiceProvider _services;
    private readonly GrainRegistry _registry;
    private readonly GrainEventPublisher _publisher;
    private readonly ILogger<GrainRuntime> _logger;
    private readonly ITimer _idleTimer;
    private int _collecting;

    public GrainRuntime(
        IServiceProvider services,
        GrainRegistry registry,
        IJournalStore store,
        GrainEventPublisher publisher,
        IOptions<GrainRuntimeOptions> options,
        TimeProvider clock,
        ILogger<GrainRuntime> logger)
    {
        _services = services;
        _registry = registry;
        _publisher = publisher;
        _logger = logger;
        Store = store;
        Options = options.Value;
        Clock = clock;
        var period = TimeSpan.FromTicks(Math.Clamp(Options.IdleDeactivation.Ticks / 2, TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.FromMinutes(1).Ticks));
        _idleTimer = clock.CreateTimer(_ => CollectIdleInBackground(), null, period, period);
    }

    internal IJournalStore Store { get; }

    internal GrainRuntimeOptions Options { get; }

    internal TimeProvider Clock { get; }

    internal JsonSerializerOptions Json { get; } = GrainJson.Options;

    public int ActivationCount => _activations.Count;

    public TGrain GetGrain<TGrain>(string key) where TGrain : IGrain
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        var registration = _registry.Get(typeof(TGrain));
        var proxy = DispatchProxy.Create<TGrain, GrainProxy>();
        ((GrainProxy)(object)proxy).Bind(this, new GrainId(registration.TypeName, key));
        return proxy;
    }

    public GrainId GetGrainId<TGrain>(string key) where TGrain : IGrain =>
        new(_registry.Get(typeof(TGrain)).TypeName, key);

    // Everything a grain appended after a sequence number, for a client that saw up to there.
    public async Task<IReadOnlyList<GrainEvent>> ReadEventsAsync(GrainId id, long afterSequence, int maxCount, CancellationToken cancellationToken = default)
    {
        var eventType = _registry.Get(id.Type).EventType
            ?? throw new InvalidOperationException($"Grain type '{id.Type}' keeps no journal.");
        var stored = await Store.ReadEventsAsync(id, afterSequence, maxCount, cancellationToken);
        return stored
            .Select(e => new GrainEvent(id, e.Sequence, JsonSerializer.Deserialize(e.Payload, eventType, Json)!, e.RecordedAt))
            .ToList();
    }

    internal object Dispatch(GrainId id, MethodInfo method, object?[] args) =>
        _invokers.GetOrAdd(method, CreateInvoker)(this, id, method, args);

    private static Func<GrainRuntime, GrainId, MethodInfo, object?[], object> CreateInvoker(MethodInfo method)
    {
        var resultType = method.ReturnType == typeof(Task) ? typeof(object) : method.ReturnType.GetGenericArguments()[0];
        return TypedInvoke.MakeGenericMethod(resultType)
            .CreateDelegate<Func<GrainRuntime, GrainId, MethodInfo, object?[], object>>();
    }

    private static object InvokeTyped<T>(GrainRuntime runtime, GrainId id, MethodInfo method, object?[] args) =>
        runtime.InvokeAsync<T>(id, method, args);

    private async Task<T> InvokeAsync<T>(GrainId id, MethodInfo method, object?[] args)
    {
        while (true)
        {
            var activation = _activations.GetOrAdd(id, static key => new GrainActivation(key));
            activation.Enter();
            try
            {
                await activation.Turn.WaitAsync();
                try
                {
                    if (activation.IsDeactivated)
                    {
                        continue;
                    }

                    var grain = activation.Instance ?? await ActivateAsync(activation);
                    return await RunTurnAsync<T>(grain, method, args);
                }
                finally
                {
                    activation.Turn.Release();
                }
            }
            finally
            {
                activation.Exit(Clock.GetTimestamp());
            }
        }
    }

    private async Task<Grain> ActivateAsync(GrainActivation activation)
    {
        var registration = _registry.Get(activation.Id.Type);
        var grain = (Grain)ActivatorUtilities.CreateInstance(_services, registration.Implementation);
        grain.Attach(new GrainContext(activation.Id, this));
        try
        {
            await grain.ActivateAsync(CancellationToken.None);
        }
        catch
        {
            // Leave nothing half-loaded behind: the next call starts a fresh activation.
            activation.IsDeactivated = true;
            _activations.TryRemove(KeyValuePair.Create(activation.Id, activation));
            throw;
        }

        activation.Instance = grain;
        return grain;
    }

    private async Task<T> RunTurnAsync<T>(Grain grain, MethodInfo method, object?[] args)
    {
        var journaled = grain as IJournaledGrain;
        for (var attempt = 1; ; attempt++)
        {
            journaled?.BeginCall();
            T result;
            try
            {
                var task = (Task)method.Invoke(grain, BindingFlags.DoNotWrapExceptions, null, args, null)!;
                await task;
                result = task is Task<T> typed ? typed.Result : default!;
            }
            catch
            {
                journaled?.Rollback();
                throw;
            }

            if (journaled is null)
            {
                return result;
            }

            IReadOnlyList<GrainEvent> committed;
            try
            {
                committed = await journaled.CommitAsync(CancellationToken.None);
            }
            catch (JournalConflictException)
            {
                // Another writer appended first: decide again on fresh state, never overwrite.
                journaled.Rollback();
                await journaled.CatchUpAsync(CancellationToken.None);
                if (attempt >= Options.MaxCommitAttempts)
                {
                    throw new GrainConcurrencyException(grain.Context.Id, attempt);
                }

                await Task.Delay(Random.Shared.Next(0, Math.Min(50, attempt * 5)));
                continue;
            }
            catch
            {
                journaled.Rollback();
                throw;
            }

            _publisher.Publish(committed);
            return result;
        }
    }

    private void CollectIdleInBackground()
    {
        if (Interlocked.Exchange(ref _collecting, 1) == 1)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await DeactivateAsync(Options.IdleDeactivation);
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Idle grain collection failed");
            }
            finally
            {
                Volatile.Write(ref _collecting, 0);
            }
        });
    }

    // Deactivates every activation idle for at least the given time; TimeSpan.Zero deactivates all idle ones.
    public async Task<int> DeactivateAsync(TimeSpan idleFor)
    {
        var count = 0;
        foreach (var activation in _activations.Values)
        {
            if (activation.PendingCalls > 0 || Clock.GetElapsedTime(activation.LastUsedTicks) < idleFor)
            {
                continue;
            }

            if (!activation.Turn.Wait(0))
            {
                continue;
            }

            try
            {
                if (activation.PendingCalls > 0 || activation.IsDeactivated)
                {
                    continue;
                }

                activation.IsDeactivated = true;
                _activations.TryRemove(KeyValuePair.Create(activation.Id, activation));
                count++;
                if (activation.Instance is { } grain)
                {
                    try
                    {
                        await grain.OnDeactivateAsync(CancellationToken.None);
                    }
                    catch (Exception ex)
                    {
                        _logger.LogWarning(ex, "Grain {Grain} failed while deactivating", activation.Id);
                    }
                }
            }
            finally
            {
                activation.Turn.Release();
            }
        }

        return count;
    }

    public async ValueTask DisposeAsync()
    {
        await _idleTimer.DisposeAsync();
        await DeactivateAsync(TimeSpan.Zero);
    }
}
