using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Audit;
using Events.Grains.Journal;

namespace Events.Grains.People;

[Flags]
[GenerateSerializer]
public enum EventRole
{
    None = 0,
    Attendee = 1,
    Investor = 2,
    Presenter = 4,
    Moderator = 8,
    Organiser = 16,
}

[GenerateSerializer, Immutable]
public sealed record Membership(string Email, EventRole Roles, string? Team);

[GenerateSerializer, Immutable]
public sealed record Invitation(
    string Id,
    string SecretHash,
    EventRole Role,
    string? Team,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    int MaxUses,
    ImmutableList<string> AcceptedBy,
    bool Revoked,
    string CreatedBy);

[GenerateSerializer, Immutable]
public sealed record InvitationRequest(EventRole Role, string? Team, TimeSpan ValidFor, int MaxUses);

[GenerateSerializer, Immutable]
public sealed record CreatedInvitation(string Id, string Token, DateTimeOffset ExpiresAt);

[GenerateSerializer]
public enum InvitationStatus
{
    Open,
    Expired,
    UsedUp,
    Revoked,
    Unknown,
}

[GenerateSerializer, Immutable]
public sealed record InvitationCheck(InvitationStatus Status, EventRole Role = EventRole.None, string? Team = null);

// Who may do what in one event (keyed by the event's slug): roles per person and the invitations
// that grant them.
public interface IEventAccessGrain : IGrainWithStringKey
{
    Task<Membership?> GetMembershipAsync(string email);

    Task<IReadOnlyList<Membership>> ListMembersAsync();

    Task<IReadOnlyList<Invitation>> ListInvitationsAsync();

    Task GrantAsync(string actor, string email, EventRole role, string? team);

    Task RevokeAsync(string actor, string email, EventRole role);

    Task<CreatedInvitation> CreateInvitationAsync(string actor, InvitationRequest request);

    Task RevokeInvitationAsync(string actor, string invitationId);

    Task<InvitationCheck> CheckInvitationAsync(string invitationId, string secretHash);

    // Grants the invitation's role to the person; accepting twice uses the invitation once.
    Task<InvitationCheck> AcceptInvitationAsync(string invitationId, string secretHash, string email);
}

[JsonPolymorphic]
[JsonDerivedType(typeof(RoleGranted), "role-granted")]
[JsonDerivedType(typeof(RoleRevoked), "role-revoked")]
[JsonDerivedType(typeof(InvitationCreated), "invitation-created")]
[JsonDerivedType(typeof(InvitationAccepted), "invitation-accepted")]
[JsonDerivedType(typeof(InvitationRevoked), "invitation-revoked")]
[GenerateSerializer, Immutable]
public abstract record EventAccessEvent;

[GenerateSerializer, Immutable]
public sealed record RoleGranted(string Actor, string Email, EventRole Role, string? Team) : EventAccessEvent, IAuditedEvent
{
    public AuditAction Audit() => Team is null ? AuditAction.Of("role-granted", Role, Email) : AuditAction.Of("role-granted-team", Role, Email, Team);
}

[GenerateSerializer, Immutable]
public sealed record RoleRevoked(string Actor, string Email, EventRole Role) : EventAccessEvent, IAuditedEvent
{
    public AuditAction Audit() => AuditAction.Of("role-revoked", Role, Email);
}

[GenerateSerializer, Immutable]
public sealed record InvitationCreated(string Actor, Invitation Invitation) : EventAccessEvent, IAuditedEvent
{
    public AuditAction Audit() => AuditAction.Of("invitation-created", Invitation.Id, Invitation.Role, Invitation.MaxUses, Invitation.ExpiresAt);
}

[GenerateSerializer, Immutable]
public sealed record InvitationAccepted(string InvitationId, string Email) : EventAccessEvent;

[GenerateSerializer, Immutable]
public sealed record InvitationRevoked(string Actor, string InvitationId) : EventAccessEvent, IAuditedEvent
{
    public AuditAction Audit() => AuditAction.Of("invitation-revoked", InvitationId);
}

// Members by address in a hash map: every hub call and page looks one up (a sorted map compared
// addresses with the culture's rules at each step); the list is sorted when someone asks for it.
[GenerateSerializer, Immutable]
public sealed record EventAccessState(
    ImmutableDictionary<string, Membership> Members,
    ImmutableList<Invitation> Invitations) : IJournaledState<EventAccessState, EventAccessEvent>
{
    public static EventAccessState Initial { get; } = new(ImmutableDictionary<string, Membership>.Empty, []);

    public EventAccessState Apply(EventAccessEvent @event) => @event switch
    {
        RoleGranted granted => this with
        {
            Members = Members.SetItem(granted.Email, Members.TryGetValue(granted.Email, out var m)
                ? m with { Roles = m.Roles | granted.Role, Team = granted.Team ?? m.Team }
                : new Membership(granted.Email, granted.Role, granted.Team)),
        },
        RoleRevoked revoked when Members.TryGetValue(revoked.Email, out var m) => this with
        {
            Members = (m.Roles & ~revoked.Role) == EventRole.None
                ? Members.Remove(revoked.Email)
                : Members.SetItem(revoked.Email, m with { Roles = m.Roles & ~revoked.Role }),
        },
        InvitationCreated created => this with { Invitations = Invitations.Add(created.Invitation) },
        InvitationAccepted accepted => Update(accepted.InvitationId, i => i with { AcceptedBy = i.AcceptedBy.Add(accepted.Email) }),
        InvitationRevoked revoked => Update(revoked.InvitationId, i => i with { Revoked = true }),
        _ => this,
    };

    private EventAccessState Update(string id, Func<Invitation, Invitation> change) =>
        this with { Invitations = Invitations.Select(i => i.Id == id ? change(i) : i).ToImmutableList() };
}

[GrainType("event-access")]
public sealed class EventAccessGrain(TimeProvider clock) : JournalGrain<EventAccessState, EventAccessEvent>, IEventAccessGrain
{
    public const int MaxInvitationUses = 10_000;
    public const int MaxTeamLength = 100;
    public static readonly TimeSpan MaxInvitationLifetime = TimeSpan.FromDays(366);

    public Task<Membership?> GetMembershipAsync(string email) =>
        Task.FromResult(State.Members.GetValueOrDefault(email));

    public Task<IReadOnlyList<Membership>> ListMembersAsync() =>
        Task.FromResult<IReadOnlyList<Membership>>([.. State.Members.Values.OrderBy(m => m.Email, Comparer<string>.Default)]);

    public Task<IReadOnlyList<Invitation>> ListInvitationsAsync() =>
        Task.FromResult<IReadOnlyList<Invitation>>([.. State.Invitations.OrderByDescending(i => i.CreatedAt)]);

    public Task GrantAsync(string actor, string email, EventRole role, string? team)
    {
        RequireSingleRole(role);
        RaiseEvent(new RoleGranted(actor, EmailAddress.Normalize(email), role, CleanTeam(team)));
        return Task.CompletedTask;
    }

    public Task RevokeAsync(string actor, string email, EventRole role)
    {
        RequireSingleRole(role);
        var normalized = EmailAddress.Normalize(email);
        if (!State.Members.TryGetValue(normalized, out var member) || !member.Roles.HasFlag(role))
        {
            throw new ValidationFailedException(Problem.RoleNotHeld, normalized, role);
        }

        RaiseEvent(new RoleRevoked(actor, normalized, role));
        return Task.CompletedTask;
    }

    public Task<CreatedInvitation> CreateInvitationAsync(string actor, InvitationRequest request)
    {
        RequireSingleRole(request.Role);
        if (request.MaxUses is < 1 or > MaxInvitationUses)
        {
            throw new ValidationFailedException(Problem.InvitationUses, MaxInvitationUses);
        }

        if (request.ValidFor < TimeSpan.FromHours(1) || request.ValidFor > MaxInvitationLifetime)
        {
            throw new ValidationFailedException(Problem.InvitationLifetime);
        }

        var id = Secrets.NewToken(9);
        var secret = Secrets.NewToken(24);
        var now = clock.GetUtcNow();
        var invitation = new Invitation(id, Secrets.Hash(secret), request.Role, CleanTeam(request.Team), now, now + request.ValidFor, request.MaxUses, [], false, actor);
        RaiseEvent(new InvitationCreated(actor, invitation));
        return Task.FromResult(new CreatedInvitation(id, $"{id}.{secret}", invitation.ExpiresAt));
    }

    public Task RevokeInvitationAsync(string actor, string invitationId)
    {
        var invitation = State.Invitations.FirstOrDefault(i => i.Id == invitationId)
            ?? throw new ValidationFailedException(Problem.InvitationUnknown);
        if (!invitation.Revoked)
        {
            RaiseEvent(new InvitationRevoked(actor, invitationId));
        }

        return Task.CompletedTask;
    }

    public Task<InvitationCheck> CheckInvitationAsync(string invitationId, string secretHash) =>
        Task.FromResult(Check(invitationId, secretHash, email: null));

    public Task<InvitationCheck> AcceptInvitationAsync(string invitationId, string secretHash, string email)
    {
        var normalized = EmailAddress.Normalize(email);
        var check = Check(invitationId, secretHash, normalized);
        if (check.Status != InvitationStatus.Open)
        {
            return Task.FromResult(check);
        }

        var invitation = State.Invitations.First(i => i.Id == invitationId);
        if (!invitation.AcceptedBy.Contains(normalized))
        {
            RaiseEvent(new InvitationAccepted(invitationId, normalized));
            RaiseEvent(new RoleGranted(normalized, normalized, invitation.Role, invitation.Team));
        }

        return Task.FromResult(check);
    }

    private InvitationCheck Check(string invitationId, string secretHash, string? email)
    {
        var invitation = State.Invitations.FirstOrDefault(i => i.Id == invitationId);
        if (invitation is null || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.ASCII.GetBytes(invitation.SecretHash), System.Text.Encoding.ASCII.GetBytes(secretHash)))
        {
            return new InvitationCheck(InvitationStatus.Unknown);
        }

        var status = invitation switch
        {
            { Revoked: true } => InvitationStatus.Revoked,
            _ when clock.GetUtcNow() >= invitation.ExpiresAt => InvitationStatus.Expired,
            _ when email is not null && invitation.AcceptedBy.Contains(email) => InvitationStatus.Open,
            _ when invitation.AcceptedBy.Count >= invitation.MaxUses => InvitationStatus.UsedUp,
            _ => InvitationStatus.Open,
        };
        return new InvitationCheck(status, invitation.Role, invitation.Team);
    }

    private static void RequireSingleRole(EventRole role)
    {
        if (role == EventRole.None || (role & (role - 1)) != 0 || !Enum.IsDefined(role))
        {
            throw new ValidationFailedException(Problem.RoleChoice);
        }
    }

    private static string? CleanTeam(string? team)
    {
        var trimmed = team?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        return trimmed.Length <= MaxTeamLength
            ? trimmed
            : throw new ValidationFailedException(Problem.TeamTooLong, MaxTeamLength);
    }
}
