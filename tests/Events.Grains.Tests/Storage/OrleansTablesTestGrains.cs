using Orleans;
using Orleans.Placement;
using Orleans.Runtime;

namespace Events.Grains.Tests.Storage;

// A counter kept with Orleans' [PersistentState] in the ADO.NET grain storage, for
// OrleansTablesTests. Two flavours differ only in the storage they use: one that clears by
// emptying the row, one configured with DeleteStateOnClear.
public interface IOrleansTablesCounter : IGrainWithStringKey
{
    Task<int> GetAsync();

    // Adds and writes the state; the new total.
    Task<int> AddAsync(int amount);

    Task ClearAsync();

    // What the grain holds: the ETag of its state and whether a row was read or written.
    Task<(string? ETag, bool RecordExists)> StateInfoAsync();

    // The silo this activation runs on.
    Task<string> SiloAsync();
}

public interface IClearingCounterGrain : IOrleansTablesCounter;

public interface IDeletingCounterGrain : IOrleansTablesCounter;

[GenerateSerializer]
public sealed class CounterState
{
    [Id(0)]
    public int Total { get; set; }
}

public abstract class CounterGrain(IPersistentState<CounterState> state, ILocalSiloDetails silo) : Grain, IOrleansTablesCounter
{
    // The ADO.NET grain storage providers the test silos register.
    public const string ClearingStorage = "orleans-tables-clearing";
    public const string DeletingStorage = "orleans-tables-deleting";

    public Task<int> GetAsync() => Task.FromResult(state.State.Total);

    public async Task<int> AddAsync(int amount)
    {
        state.State.Total += amount;
        await state.WriteStateAsync();
        return state.State.Total;
    }

    public Task ClearAsync() => state.ClearStateAsync();

    public Task<(string? ETag, bool RecordExists)> StateInfoAsync() => Task.FromResult((state.Etag, state.RecordExists));

    public Task<string> SiloAsync() => Task.FromResult(silo.SiloAddress.ToParsableString());
}

// Placed on the silo that makes the first call, so a test knows where the activation lives.
[PreferLocalPlacement]
public sealed class ClearingCounterGrain(
    [PersistentState("clearing-counter", CounterGrain.ClearingStorage)] IPersistentState<CounterState> state,
    ILocalSiloDetails silo) : CounterGrain(state, silo), IClearingCounterGrain;

[PreferLocalPlacement]
public sealed class DeletingCounterGrain(
    [PersistentState("deleting-counter", CounterGrain.DeletingStorage)] IPersistentState<CounterState> state,
    ILocalSiloDetails silo) : CounterGrain(state, silo), IDeletingCounterGrain;
