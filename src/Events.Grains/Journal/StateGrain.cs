using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Events.Grains.Journal;

// A grain with small state and no history to replay (accounts, sign-in challenges, the site, the
// catalogue, bans): its state is one row of Orleans' ADO.NET grain storage. Changes are still
// described by events, folded as in a journaled grain, but only the resulting state is written,
// once, when the call returns; a write that meets another writer's (ETag) is refused on freshly
// read state, never retried blindly. A call that throws writes nothing. Events are published on
// this silo only; they carry no sequence number, since there is no journal.
//
// Grains kept their state in journals before this storage existed: on first activation with no
// stored row, the old journal (if any) is folded once and written as the state.
//
// Orleans' ADO.NET storage keys a row by (state name, grain key), not by grain class: each state
// grain names its state after its grain type, so two kinds never share a row.
public abstract class StateGrain<TState, TEvent>(IPersistentState<Folded<TState, TEvent>> stored) : Grain, IIncomingGrainCallFilter
    where TState : class, IJournaledState<TState, TEvent>
    where TEvent : class
{
    private readonly PendingChanges<TState, TEvent> _pending = new();

    protected TState State => _pending.Over(stored.State.Value);

    protected string Key => this.GetPrimaryKeyString();

    protected void RaiseEvent(TEvent @event) => _pending.Raise(stored.State.Value, @event);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!stored.RecordExists)
        {
            var journal = new JournalKey(this.GetGrainId().Type.ToString()!, Key);
            var (state, version) = await JournalFold.ReadAsync<TState, TEvent>(ServiceProvider.GetRequiredService<IJournalStore>(), journal);
            if (version > 0)
            {
                stored.State = new Folded<TState, TEvent> { Value = state };
                await stored.WriteStateAsync(cancellationToken);
            }
        }

        await base.OnActivateAsync(cancellationToken);
    }

    async Task IIncomingGrainCallFilter.Invoke(IIncomingGrainCallContext context)
    {
        if (await _pending.RunAsync(context) is not { } changes)
        {
            return;
        }

        var (raised, next) = changes;

        var before = stored.State;
        stored.State = new Folded<TState, TEvent> { Value = next };
        try
        {
            await stored.WriteStateAsync();
        }
        catch (InconsistentStateException)
        {
            stored.State = before;
            await stored.ReadStateAsync();
            throw new StateConflictException(new JournalKey(this.GetGrainId().Type.ToString()!, Key));
        }
        catch
        {
            stored.State = before;
            throw;
        }

        var services = ServiceProvider.GetRequiredService<JournalServices>();
        var at = services.Clock.GetUtcNow();
        var journalKey = new JournalKey(this.GetGrainId().Type.ToString()!, Key);
        GrainEvent[] published = [.. raised.Select(e => new GrainEvent(journalKey, 0, e, at))];
        services.PublishHereOnly(published);

        // Before the caller hears of it. With no journal to read back, a change committed and not
        // recorded (the process killed in between, unacknowledged) stays unrecorded.
        foreach (var follower in services.StandingFollowers(typeof(TEvent)))
        {
            if (published.Where(e => follower.Takes(e.Event)).ToImmutableArray() is { Length: > 0 } taken)
            {
                await follower.Find(GrainFactory, journalKey).FollowAsync(journalKey, 0, taken);
            }
        }
    }
}

// Thrown to the caller when another writer changed a state grain's row first; nothing was written.
[GenerateSerializer]
public sealed class StateConflictException(JournalKey grain)
    : Exception($"The state of {grain} was changed by another writer; nothing from this call was stored. Try again.")
{
    [Id(0)]
    public JournalKey Grain { get; } = grain;
}

// Grain state as plain JSON with the journal's settings, and no CLR type names: renaming a class
// must not make stored rows unreadable.
public sealed class GrainStateJson : IGrainStorageSerializer
{
    public BinaryData Serialize<T>(T? input) => new(JsonSerializer.SerializeToUtf8Bytes(input, GrainJson.Options));

    public T? Deserialize<T>(BinaryData input) => JsonSerializer.Deserialize<T>(input.ToMemory().Span, GrainJson.Options);
}

public static class GrainStore
{
    // The ADO.NET grain storage that state grains name in [PersistentState].
    public const string Name = "Events";
}
