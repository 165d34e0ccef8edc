using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Audit;
using Events.Grains.Journal;

namespace Events.Grains.Questions;

// People a moderator barred from asking questions anywhere in one event (keyed by the event's slug).
public interface IQuestionBansGrain : IGrainWithStringKey
{
    Task<bool> IsBannedAsync(string email);

    Task BanAsync(string actor, string email);
}

[JsonPolymorphic]
[JsonDerivedType(typeof(AskerBanned), "asker-banned")]
[GenerateSerializer, Immutable]
public abstract record BansEvent;

[GenerateSerializer, Immutable]
public sealed record AskerBanned(string Actor, string Email) : BansEvent, IAuditedEvent
{
    public AuditAction Audit() => AuditAction.Of("asker-banned", Email);
}

[GenerateSerializer, Immutable]
public sealed record BansState(ImmutableHashSet<string> Banned) : IJournaledState<BansState, BansEvent>
{
    public static BansState Initial { get; } = new(ImmutableHashSet<string>.Empty);

    public BansState Apply(BansEvent @event) => @event is AskerBanned banned ? new(Banned.Add(banned.Email)) : this;
}

[GrainType("question-bans")]
public sealed class QuestionBansGrain([PersistentState("question-bans", GrainStore.Name)] IPersistentState<Folded<BansState, BansEvent>> state) : StateGrain<BansState, BansEvent>(state), IQuestionBansGrain
{
    public Task<bool> IsBannedAsync(string email) => Task.FromResult(State.Banned.Contains(email));

    public Task BanAsync(string actor, string email)
    {
        if (!State.Banned.Contains(email))
        {
            RaiseEvent(new AskerBanned(actor, email));
        }

        return Task.CompletedTask;
    }
}
