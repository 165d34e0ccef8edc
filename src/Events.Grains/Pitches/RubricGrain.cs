using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Audit;
using Events.Grains.Journal;

namespace Events.Grains.Pitches;

[GenerateSerializer, Immutable]
public sealed record Rubric(ImmutableList<Criterion> Criteria, DateTimeOffset? LockedAt)
{
    public bool Locked => LockedAt is not null;
}

[GenerateSerializer, Immutable]
public sealed record CriterionDraft(string Name, string Description, int Weight);

// The event's scoring rubric (keyed by the event's slug): criteria scored 1-5, each with a weight.
// Organisers edit it until scoring first opens in any pitch room; from then on it is locked, so
// every pitch of the event is scored against the same criteria.
public interface IRubricGrain : IGrainWithStringKey
{
    Task<Rubric> GetAsync();

    Task<Rubric> SetAsync(string actor, IReadOnlyList<CriterionDraft> criteria);

    // Called when scoring opens: locks the rubric (once) and returns it.
    Task<Rubric> LockAsync(string actor);
}

[JsonPolymorphic]
[JsonDerivedType(typeof(RubricSet), "rubric-set")]
[JsonDerivedType(typeof(RubricLocked), "rubric-locked")]
[GenerateSerializer, Immutable]
public abstract record RubricEvent;

[GenerateSerializer, Immutable]
public sealed record RubricSet(string Actor, ImmutableList<Criterion> Criteria) : RubricEvent, IAuditedEvent
{
    public AuditAction Audit() => AuditAction.Of("rubric-set", string.Join(", ", Criteria.Select(c => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{c.Name} (x{c.Weight})"))));
}

[GenerateSerializer, Immutable]
public sealed record RubricLocked(string Actor, DateTimeOffset At) : RubricEvent, IAuditedEvent
{
    public AuditAction Audit() => AuditAction.Of("rubric-locked");
}

[GenerateSerializer, Immutable]
public sealed record RubricState(ImmutableList<Criterion> Criteria, DateTimeOffset? LockedAt) : IJournaledState<RubricState, RubricEvent>
{
    // The criteria the city teams pitch against, until an organiser changes them.
    public static RubricState Initial { get; } = new(
        [
            new Criterion("c1", "The challenge", "How clearly the city's problem is stated, and for whom.", 1),
            new Criterion("c2", "The pilot solution", "What was built, and whether it fits the challenge and the city's means.", 1),
            new Criterion("c3", "Status and evidence", "What the pilot has shown so far: users, figures, lessons.", 2),
            new Criterion("c4", "The budget ask", "Whether the ask is clear, realistic and tied to the next stage.", 1),
            new Criterion("c5", "Partners sought", "Whether the partners the city needs are named and the roles clear.", 1),
        ],
        null);

    public RubricState Apply(RubricEvent @event) => @event switch
    {
        RubricSet set => this with { Criteria = set.Criteria },
        RubricLocked locked => this with { LockedAt = locked.At },
        _ => this,
    };
}

[GrainType("rubric")]
public sealed class RubricGrain(TimeProvider clock) : JournalGrain<RubricState, RubricEvent>, IRubricGrain
{
    public const int MaxCriteria = 10;
    public const int MaxWeight = 10;
    public const int MaxNameLength = 100;
    public const int MaxDescriptionLength = 500;

    public Task<Rubric> GetAsync() => Task.FromResult(View());

    public Task<Rubric> SetAsync(string actor, IReadOnlyList<CriterionDraft> criteria)
    {
        if (State.LockedAt is not null)
        {
            throw new ValidationFailedException(Problem.RubricLocked);
        }

        if (criteria.Count is 0 or > MaxCriteria)
        {
            throw new ValidationFailedException(Problem.RubricSize, MaxCriteria);
        }

        var clean = criteria.Select((c, i) =>
        {
            var name = Input.Required(c.Name, MaxNameLength, Problem.CriterionNameRequired, Problem.TitleTooLong);
            if (c.Weight is < 1 or > MaxWeight)
            {
                throw new ValidationFailedException(Problem.CriterionWeight, name, MaxWeight);
            }

            return new Criterion($"c{i + 1}", name, Input.Optional(c.Description, MaxDescriptionLength, Problem.DescriptionTooLong), c.Weight);
        }).ToImmutableList();

        if (!clean.SequenceEqual(State.Criteria))
        {
            RaiseEvent(new RubricSet(actor, clean));
        }

        return Task.FromResult(View());
    }

    public Task<Rubric> LockAsync(string actor)
    {
        if (State.LockedAt is null)
        {
            RaiseEvent(new RubricLocked(actor, clock.GetUtcNow()));
        }

        return Task.FromResult(View());
    }

    private Rubric View() => new(State.Criteria, State.LockedAt);
}
