using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Journal;

namespace Events.Grains.Catalog;

[GenerateSerializer, Immutable]
public sealed record EventListing(string Slug, string Title, DateTimeOffset StartsAt);

// The list of events hosted on this installation. One instance, under CatalogKey.
public interface IEventCatalogGrain : IGrainWithStringKey
{
    public const string CatalogKey = "all";

    Task<IReadOnlyList<EventListing>> ListAsync();

    Task AddAsync(EventListing listing);
}

[JsonPolymorphic]
[JsonDerivedType(typeof(EventListed), "event-listed")]
[GenerateSerializer, Immutable]
public abstract record CatalogEvent;

[GenerateSerializer, Immutable]
public sealed record EventListed(EventListing Listing) : CatalogEvent;

[GenerateSerializer, Immutable]
public sealed record CatalogState(ImmutableList<EventListing> Events) : IJournaledState<CatalogState, CatalogEvent>
{
    public static CatalogState Initial { get; } = new(ImmutableList<EventListing>.Empty);

    public CatalogState Apply(CatalogEvent @event) => @event switch
    {
        EventListed listed => this with { Events = Events.Add(listed.Listing) },
        _ => this,
    };
}

[GrainType("catalog")]
public sealed class EventCatalogGrain([PersistentState("catalog", GrainStore.Name)] IPersistentState<Folded<CatalogState, CatalogEvent>> state) : StateGrain<CatalogState, CatalogEvent>(state), IEventCatalogGrain
{
    public Task<IReadOnlyList<EventListing>> ListAsync() =>
        Task.FromResult<IReadOnlyList<EventListing>>(State.Events.OrderBy(e => e.StartsAt).ToList());

    public Task AddAsync(EventListing listing)
    {
        if (State.Events.Any(e => e.Slug == listing.Slug))
        {
            throw new ValidationFailedException(Problem.EventAddressTaken, listing.Slug);
        }

        RaiseEvent(new EventListed(listing));
        return Task.CompletedTask;
    }
}
