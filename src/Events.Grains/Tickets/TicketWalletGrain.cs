using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Journal;

namespace Events.Grains.Tickets;

[GenerateSerializer, Immutable]
public sealed record WalletEntry(string Slug, string OrderId);

// The orders one person placed, in every event (keyed by their normalized address): what "my
// tickets" lists. The office writes here before it records the order, so an entry may name an
// order that was never stored (the page skips it), but no stored order is missing.
public interface ITicketWalletGrain : IGrainWithStringKey
{
    Task<ImmutableArray<WalletEntry>> ListAsync();

    Task AddAsync(WalletEntry entry);
}

[JsonPolymorphic]
[JsonDerivedType(typeof(WalletEntryAdded), "wallet-entry-added")]
[GenerateSerializer, Immutable]
public abstract record WalletEvent;

[GenerateSerializer, Immutable]
public sealed record WalletEntryAdded(WalletEntry Entry) : WalletEvent;

[GenerateSerializer, Immutable]
public sealed record WalletState(ImmutableList<WalletEntry> Entries) : IJournaledState<WalletState, WalletEvent>
{
    public static WalletState Initial { get; } = new([]);

    public WalletState Apply(WalletEvent @event) => @event is WalletEntryAdded added ? new(Entries.Add(added.Entry)) : this;
}

[GrainType("ticket-wallet")]
public sealed class TicketWalletGrain : JournalGrain<WalletState, WalletEvent>, ITicketWalletGrain
{
    public Task<ImmutableArray<WalletEntry>> ListAsync() => Task.FromResult(State.Entries.ToImmutableArray());

    public Task AddAsync(WalletEntry entry)
    {
        if (!State.Entries.Contains(entry))
        {
            RaiseEvent(new WalletEntryAdded(entry));
        }

        return Task.CompletedTask;
    }
}
