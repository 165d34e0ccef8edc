using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Journal;

namespace Events.Grains.Tests;

// A small journaled grain for testing JournalGrain itself: a ledger of numbered entries.
public interface ILedgerGrain : IGrainWithStringKey
{
    Task<LedgerState> GetAsync();

    Task<long> AddAsync(string note);

    Task<long> AddManyAsync(int count, string note);

    Task AddThenFailAsync(string note);

    // Notes the last entry it sees, then waits (inside the call) for ActivationCounter.Release before raising.
    Task<long> AddAfterReleaseAsync();

    // Adds an entry numbered from Version, as the product's grains number questions and
    // interventions; with afterNextWrite, first waits (inside the call) until this activation's
    // next write is confirmed.
    Task<long> AddNumberedByVersionAsync(string note, bool afterNextWrite);

    Task<int> ActivationNumberAsync();

    // The silo this activation lives on, as SiloAddress.ToParsableString().
    Task<string> SiloAsync();
}

[JsonPolymorphic]
[JsonDerivedType(typeof(EntryAdded), "entry-added")]
[GenerateSerializer, Immutable]
public abstract record LedgerEvent;

[GenerateSerializer, Immutable]
public sealed record EntryAdded(long Number, string Note) : LedgerEvent;

[GenerateSerializer, Immutable]
public sealed record LedgerState(long Count, ImmutableList<string> Notes, ImmutableList<long> Numbers) : IJournaledState<LedgerState, LedgerEvent>
{
    public static LedgerState Initial { get; } = new(0, [], []);

    public LedgerState Apply(LedgerEvent @event) => @event switch
    {
        EntryAdded added => new LedgerState(Count + 1, Notes.Add(added.Note), Numbers.Add(added.Number)),
        _ => this,
    };
}

// One per silo: numbers the ledger's activations and counts its deactivations, so a test can
// tell a reloaded grain from the one it talked to before without waking it.
public sealed class ActivationCounter
{
    private int _activations;
    private int _deactivations;
    private int _decided;

    public int Deactivations => Volatile.Read(ref _deactivations);

    // Ledger calls that have decided and raised their entry (durable or not yet).
    public int Decided => Volatile.Read(ref _decided);

    public void Decide() => Interlocked.Increment(ref _decided);

    // What AddAfterReleaseAsync waits for, and whether one is waiting.
    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Activated() => Interlocked.Increment(ref _activations);

    public void Deactivated() => Interlocked.Increment(ref _deactivations);
}

[GrainType(TypeName)]
public sealed class LedgerGrain(ActivationCounter activations, ILocalSiloDetails silo) : JournalGrain<LedgerState, LedgerEvent>, ILedgerGrain
{
    public const string TypeName = "test-ledger";

    private int _activationNumber;
    private TaskCompletionSource? _confirmed;

    public static JournalKey JournalOf(string key) => new(TypeName, key);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The journal is loaded here; counting after it means a counted activation has its state.
        await base.OnActivateAsync(cancellationToken);
        _activationNumber = activations.Activated();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        activations.Deactivated();
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    public Task<LedgerState> GetAsync() => Task.FromResult(State);

    public async Task<long> AddAsync(string note)
    {
        // Yield inside the turn so that, were calls not serialized, they would interleave here.
        await Task.Yield();
        RaiseEvent(new EntryAdded(State.Count + 1, note));
        activations.Decide();
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

    public async Task<long> AddAfterReleaseAsync()
    {
        var seen = State.Notes.LastOrDefault() ?? "nothing";
        activations.Waiting.TrySetResult();
        await activations.Release.Task;
        RaiseEvent(new EntryAdded(State.Count + 1, $"saw {seen}"));
        return Version;
    }

    // Orleans calls this from its log-view adaptor as soon as a write is confirmed, before the
    // writer hears of it: the continuation below is queued ahead of the writer's.
    protected override void OnStateChanged() => _confirmed?.TrySetResult();

    public async Task<long> AddNumberedByVersionAsync(string note, bool afterNextWrite)
    {
        if (afterNextWrite)
        {
            _confirmed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            activations.Waiting.TrySetResult();
            await _confirmed.Task;
            _confirmed = null;
        }

        RaiseEvent(new EntryAdded(Version + 1, note));
        return Version;
    }

    public Task<int> ActivationNumberAsync() => Task.FromResult(_activationNumber);

    public Task<string> SiloAsync() => Task.FromResult(silo.SiloAddress.ToParsableString());
}
