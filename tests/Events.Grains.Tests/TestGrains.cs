using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Runtime;

namespace Events.Grains.Tests;

// A small journaled grain for testing the runtime itself: a ledger of numbered entries.
public interface ILedgerGrain : IGrain
{
    Task<LedgerState> GetAsync();

    Task<long> AddAsync(string note);

    Task<long> AddManyAsync(int count, string note);

    Task AddThenFailAsync(string note);

    Task<int> ActivationNumberAsync();
}

[JsonPolymorphic]
[JsonDerivedType(typeof(EntryAdded), "entry-added")]
public abstract record LedgerEvent;

public sealed record EntryAdded(long Number, string Note) : LedgerEvent;

public sealed record LedgerState(long Count, ImmutableList<string> Notes, ImmutableList<long> Numbers) : IJournaledState<LedgerState, LedgerEvent>
{
    public static LedgerState Initial { get; } = new(0, [], []);

    public LedgerState Apply(LedgerEvent @event) => @event switch
    {
        EntryAdded added => new LedgerState(Count + 1, Notes.Add(added.Note), Numbers.Add(added.Number)),
        _ => this,
    };
}

public sealed class ActivationCounter
{
    private int _count;

    public int Next() => Interlocked.Increment(ref _count);
}

[GrainType("test-ledger")]
public sealed class LedgerGrain(ActivationCounter activations) : JournaledGrain<LedgerState, LedgerEvent>, ILedgerGrain
{
    private int _activationNumber;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _activationNumber = activations.Next();
        return Task.CompletedTask;
    }

    public Task<LedgerState> GetAsync() => Task.FromResult(State);

    public async Task<long> AddAsync(string note)
    {
        // Yield inside the turn so that, were calls not serialized, they would interleave here.
        await Task.Yield();
        RaiseEvent(new EntryAdded(State.Count + 1, note));
        return Version;
    }

    public Task<long> AddManyAsync(int count, string note)
    {
        for (var i = 0; i < count; i++)
        {
            RaiseEvent(new EntryAdded(State.Count + 1, $"{note} {i}"));
        }

        return Task.FromResult(Version);
    }

    public Task AddThenFailAsync(string note)
    {
        RaiseEvent(new EntryAdded(State.Count + 1, note));
        throw new InvalidOperationException("refused after raising");
    }

    public Task<int> ActivationNumberAsync() => Task.FromResult(_activationNumber);
}

public static class TestGrains
{
    public static void Register(GrainRegistry registry) => registry.Add<ILedgerGrain, LedgerGrain>();
}
