using System.Text.Json.Serialization;
using Events.Grains.Journal;
using Orleans.Runtime;

namespace Events.Grains.Matchmaking;

// A person's last matchmaking profile on this server (keyed by email), offered again, to edit,
// at their next event. Small state, no history: Orleans grain storage.
public interface IPersonMatchGrain : IGrainWithStringKey
{
    Task<ProfileDraft?> LastAsync();

    Task RememberAsync(ProfileDraft draft);
}

[JsonPolymorphic]
[JsonDerivedType(typeof(LastProfileRemembered), "last-profile-remembered")]
[GenerateSerializer, Immutable]
public abstract record PersonMatchEvent;

[GenerateSerializer, Immutable]
public sealed record LastProfileRemembered(ProfileDraft Draft) : PersonMatchEvent;

[GenerateSerializer, Immutable]
public sealed record PersonMatchState(ProfileDraft? Last) : IJournaledState<PersonMatchState, PersonMatchEvent>
{
    public static PersonMatchState Initial { get; } = new((ProfileDraft?)null);

    public PersonMatchState Apply(PersonMatchEvent @event) => @event is LastProfileRemembered r ? new(r.Draft) : this;
}

[GrainType("match-person")]
public sealed class PersonMatchGrain([PersistentState("match-person", GrainStore.Name)] IPersistentState<Folded<PersonMatchState, PersonMatchEvent>> state)
    : StateGrain<PersonMatchState, PersonMatchEvent>(state), IPersonMatchGrain
{
    public Task<ProfileDraft?> LastAsync() => Task.FromResult(State.Last);

    public Task RememberAsync(ProfileDraft draft)
    {
        if (State.Last != draft)
        {
            RaiseEvent(new LastProfileRemembered(draft));
        }

        return Task.CompletedTask;
    }
}
