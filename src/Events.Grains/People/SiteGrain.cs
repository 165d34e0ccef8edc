using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Journal;

namespace Events.Grains.People;

// The installation itself. Its organisers organise every event on it.
public interface ISiteGrain : IGrainWithStringKey
{
    public const string Key = "site";

    Task<bool> IsOrganiserAsync(string email);

    Task<IReadOnlyList<string>> ListOrganisersAsync();

    Task AddOrganiserAsync(string email);
}

[JsonPolymorphic]
[JsonDerivedType(typeof(SiteOrganiserAdded), "site-organiser-added")]
[GenerateSerializer, Immutable]
public abstract record SiteEvent;

[GenerateSerializer, Immutable]
public sealed record SiteOrganiserAdded(string Email, DateTimeOffset At) : SiteEvent;

[GenerateSerializer, Immutable]
public sealed record SiteState(ImmutableSortedSet<string> Organisers) : IJournaledState<SiteState, SiteEvent>
{
    public static SiteState Initial { get; } = new(ImmutableSortedSet<string>.Empty);

    public SiteState Apply(SiteEvent @event) => @event switch
    {
        SiteOrganiserAdded added => new(Organisers.Add(added.Email)),
        _ => this,
    };
}

[GrainType("site")]
public sealed class SiteGrain([PersistentState("site", GrainStore.Name)] IPersistentState<Folded<SiteState, SiteEvent>> state, TimeProvider clock) : StateGrain<SiteState, SiteEvent>(state), ISiteGrain
{
    public Task<bool> IsOrganiserAsync(string email) => Task.FromResult(State.Organisers.Contains(email));

    public Task<IReadOnlyList<string>> ListOrganisersAsync() => Task.FromResult<IReadOnlyList<string>>([.. State.Organisers]);

    public Task AddOrganiserAsync(string email)
    {
        var normalized = EmailAddress.Normalize(email);
        if (!State.Organisers.Contains(normalized))
        {
            RaiseEvent(new SiteOrganiserAdded(normalized, clock.GetUtcNow()));
        }

        return Task.CompletedTask;
    }
}
