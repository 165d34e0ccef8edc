using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Agenda;
using Events.Grains.Journal;

namespace Events.Grains.Catalog;

// EndsAt, Visibility and Status came later: listings stored before them read as listed and active.
[GenerateSerializer, Immutable]
public sealed record EventListing(
    string Slug,
    string Title,
    DateTimeOffset StartsAt,
    DateTimeOffset? EndsAt = null,
    EventVisibility Visibility = EventVisibility.Listed,
    EventStatus Status = EventStatus.Active)
{
    public static EventListing Of(AgendaView agenda) => new(
        agenda.Slug,
        agenda.Title,
        agenda.StartsAt ?? DateTimeOffset.UnixEpoch,
        agenda.EndsAt,
        agenda.Visibility,
        agenda.Status);
}

// The list of events hosted on this installation. One instance, under CatalogKey.
public interface IEventCatalogGrain : IGrainWithStringKey
{
    public const string CatalogKey = "all";

    Task<IReadOnlyList<EventListing>> ListAsync();

    Task AddAsync(EventListing listing);

    // Adds the listing or replaces the one with its slug: the agenda is the source of truth, and
    // publishing the same listing again (a retried form) changes nothing.
    Task PublishAsync(EventListing listing);
}

[JsonPolymorphic]
[JsonDerivedType(typeof(EventListed), "event-listed")]
[JsonDerivedType(typeof(ListingPublished), "listing-published")]
[GenerateSerializer, Immutable]
public abstract record CatalogEvent;

[GenerateSerializer, Immutable]
public sealed record EventListed(EventListing Listing) : CatalogEvent;

[GenerateSerializer, Immutable]
public sealed record ListingPublished(EventListing Listing) : CatalogEvent;

[GenerateSerializer, Immutable]
public sealed record CatalogState(ImmutableList<EventListing> Events) : IJournaledState<CatalogState, CatalogEvent>
{
    public static CatalogState Initial { get; } = new(ImmutableList<EventListing>.Empty);

    public CatalogState Apply(CatalogEvent @event) => @event switch
    {
        EventListed listed => this with { Events = Events.Add(listed.Listing) },
        ListingPublished published => this with
        {
            Events = Events.RemoveAll(e => e.Slug == published.Listing.Slug).Add(published.Listing),
        },
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

    public Task PublishAsync(EventListing listing)
    {
        if (!State.Events.Contains(listing))
        {
            RaiseEvent(new ListingPublished(listing));
        }

        return Task.CompletedTask;
    }
}
