using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Audit;
using Events.Grains.Journal;
using Events.Grains.Mail;

namespace Events.Grains.Pitches;

[GenerateSerializer]
public enum FollowUpStatus
{
    Requested,
    Accepted,
    Declined,
    MeetingHeld,
    PilotAgreed,
}

// Who is changing a follow-up: the web layer decides from the person's role and team.
[GenerateSerializer]
public enum FollowUpParty
{
    Team,
    Investor,
    Organiser,
}

[GenerateSerializer, Immutable]
public sealed record FollowUpChange(FollowUpStatus Status, string Actor, DateTimeOffset At);

[GenerateSerializer, Immutable]
public sealed record FollowUp(
    string Id,
    string Investor,
    string Team,
    string TeamName,
    string Session,
    FollowUpStatus Status,
    ImmutableList<FollowUpChange> History)
{
    public DateTimeOffset RequestedAt => History[0].At;

    public DateTimeOffset UpdatedAt => History[^1].At;

    // Contact details travel between the two sides only once the team has said yes.
    public bool ContactsExchanged => Status is FollowUpStatus.Accepted or FollowUpStatus.MeetingHeld or FollowUpStatus.PilotAgreed;
}

// What investors' requests for a meeting led to, per event (keyed by the event's slug). It has no
// end date: both sides record meetings and pilot agreements long after the event, which is how the
// network measures what the event achieved.
//
// It follows the event's pitch rooms (IJournalFollower): a committed scorecard that chooses "follow-up"
// asks the team for a meeting; one that chooses otherwise before the team has answered takes the
// request back. An answered request stays: it is the team's too.
public interface IFollowUpsGrain : IJournalFollower
{
    Task<IReadOnlyList<FollowUp>> ListAsync();

    // One request per investor and team: asking again returns the existing one.
    Task<FollowUp> RequestAsync(string investor, string team, string teamName, string session);

    Task<FollowUp> UpdateAsync(string actor, FollowUpParty party, string id, FollowUpStatus status);

    // The investor changed their mind before the team answered: the request disappears.
    Task WithdrawAsync(string investor, string team);
}

[JsonPolymorphic]
[JsonDerivedType(typeof(FollowUpRequested), "follow-up-requested")]
[JsonDerivedType(typeof(FollowUpUpdated), "follow-up-updated")]
[JsonDerivedType(typeof(FollowUpWithdrawn), "follow-up-withdrawn")]
[JsonDerivedType(typeof(FollowUpSourceFollowed), "follow-up-source-followed")]
[GenerateSerializer, Immutable]
public abstract record FollowUpsEvent;

[GenerateSerializer, Immutable]
public sealed record FollowUpRequested(FollowUp FollowUp) : FollowUpsEvent, IAuditedEvent, IPromisesMail
{
    // The team is told an investor asks to meet.
    [JsonIgnore]
    public bool PromisesMail => true;

    public string Actor => FollowUp.Investor;

    public AuditAction Audit() => AuditAction.Of("follow-up-requested", FollowUp.TeamName);
}

[GenerateSerializer, Immutable]
public sealed record FollowUpUpdated(string Actor, string Id, FollowUpStatus Status, DateTimeOffset At) : FollowUpsEvent, IAuditedEvent, IPromisesMail
{
    // The investor is told the team said yes.
    [JsonIgnore]
    public bool PromisesMail => Status == FollowUpStatus.Accepted;

    public AuditAction Audit() => AuditAction.Of("follow-up-updated", Id, Status);
}

[GenerateSerializer, Immutable]
public sealed record FollowUpWithdrawn(string Actor, string Id) : FollowUpsEvent, IAuditedEvent
{
    public AuditAction Audit() => AuditAction.Of("follow-up-withdrawn", Id);
}

[GenerateSerializer, Immutable]
public sealed record FollowUpSourceFollowed(string Source, long UpTo) : FollowUpsEvent;

// Followed is absent from snapshots taken before the grain followed pitch rooms.
[GenerateSerializer, Immutable]
public sealed record FollowUpsState(ImmutableList<FollowUp> FollowUps, FollowedSources? Followed = null) : IJournaledState<FollowUpsState, FollowUpsEvent>
{
    public static FollowUpsState Initial { get; } = new(ImmutableList<FollowUp>.Empty);

    public FollowedSources Sources => Followed ?? FollowedSources.None;

    public FollowUpsState Apply(FollowUpsEvent @event) => @event switch
    {
        FollowUpRequested requested => this with { FollowUps = FollowUps.Add(requested.FollowUp) },
        FollowUpSourceFollowed followed => this with { Followed = Sources.With(followed.Source, followed.UpTo) },
        FollowUpUpdated updated => this with { FollowUps = FollowUps.Select(f => f.Id == updated.Id
            ? f with { Status = updated.Status, History = f.History.Add(new FollowUpChange(updated.Status, updated.Actor, updated.At)) }
            : f).ToImmutableList() },
        FollowUpWithdrawn withdrawn => this with { FollowUps = FollowUps.RemoveAll(f => f.Id == withdrawn.Id) },
        _ => this,
    };
}

[GrainType("follow-ups")]
public sealed class FollowUpsGrain(TimeProvider clock) : JournalGrain<FollowUpsState, FollowUpsEvent>, IFollowUpsGrain
{
    protected override IReadOnlyList<Follower> Followers => [.. base.Followers, MailOutbox.Follower];

    // A pitch room it has never heard from starts from its present sequence: scorecards saved before
    // this grain followed rooms made their requests themselves.
    public Task<long?> FollowedUpToAsync(JournalKey source) =>
        Task.FromResult(State.Sources.Known(source));

    public async Task FollowAsync(JournalKey source, long upTo, ImmutableArray<GrainEvent> events)
    {
        var session = SessionKey.Parse(source.Key).SessionId;
        foreach (var e in State.Sources.New(source, events))
        {
            if (e.Event is not ScorecardSaved saved)
            {
                continue;
            }

            if (saved.Scorecard.Interest == Interest.FollowUp)
            {
                await RequestAsync(saved.Scorecard.Investor, saved.Team, saved.TeamName ?? saved.Team, session);
            }
            else
            {
                await WithdrawAsync(saved.Scorecard.Investor, saved.Team);
            }
        }

        if (upTo > State.Sources.Of(source.ToString()))
        {
            RaiseEvent(new FollowUpSourceFollowed(source.ToString(), upTo));
        }
    }

    public Task<IReadOnlyList<FollowUp>> ListAsync() =>
        Task.FromResult<IReadOnlyList<FollowUp>>([.. State.FollowUps.OrderByDescending(f => f.UpdatedAt)]);

    public Task<FollowUp> RequestAsync(string investor, string team, string teamName, string session)
    {
        if (State.FollowUps.FirstOrDefault(f => f.Investor == investor && f.Team == team) is { } existing)
        {
            return Task.FromResult(existing);
        }

        var followUp = new FollowUp($"f{Version + 1}", investor, team, teamName, session, FollowUpStatus.Requested,
            [new FollowUpChange(FollowUpStatus.Requested, investor, clock.GetUtcNow())]);
        RaiseEvent(new FollowUpRequested(followUp));
        return Task.FromResult(followUp);
    }

    public Task<FollowUp> UpdateAsync(string actor, FollowUpParty party, string id, FollowUpStatus status)
    {
        var followUp = State.FollowUps.FirstOrDefault(f => f.Id == id) ?? throw new ValidationFailedException(Problem.FollowUpMissing, id);
        if (party == FollowUpParty.Investor && followUp.Investor != actor)
        {
            throw new ValidationFailedException(Problem.FollowUpMissing, id);
        }

        if (followUp.Status == status)
        {
            return Task.FromResult(followUp);
        }

        if (!Allowed(party, followUp.Status, status))
        {
            throw new ValidationFailedException(Problem.FollowUpStatusNotAllowed, followUp.Status, status);
        }

        RaiseEvent(new FollowUpUpdated(actor, id, status, clock.GetUtcNow()));
        return Task.FromResult(State.FollowUps.First(f => f.Id == id));
    }

    public Task WithdrawAsync(string investor, string team)
    {
        if (State.FollowUps.FirstOrDefault(f => f.Investor == investor && f.Team == team && f.Status == FollowUpStatus.Requested) is { } request)
        {
            RaiseEvent(new FollowUpWithdrawn(investor, request.Id));
        }

        return Task.CompletedTask;
    }

    // Only the team (or an organiser on its behalf) answers a request; once accepted, either side
    // records how it went.
    public static bool Allowed(FollowUpParty party, FollowUpStatus from, FollowUpStatus to) => (party, from, to) switch
    {
        (FollowUpParty.Organiser, _, _) => true,
        (FollowUpParty.Team, FollowUpStatus.Requested or FollowUpStatus.Declined, FollowUpStatus.Accepted) => true,
        (FollowUpParty.Team, FollowUpStatus.Requested, FollowUpStatus.Declined) => true,
        (_, FollowUpStatus.Accepted, FollowUpStatus.MeetingHeld or FollowUpStatus.PilotAgreed) => true,
        (_, FollowUpStatus.MeetingHeld, FollowUpStatus.PilotAgreed) => true,
        _ => false,
    };
}
