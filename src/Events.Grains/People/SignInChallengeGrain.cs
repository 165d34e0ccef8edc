using System.Text.Json.Serialization;
using Events.Grains.Journal;

namespace Events.Grains.People;

// An invitation the person was accepting when they were asked to sign in; it is redeemed once
// they prove they own the address. Only the hash of the invitation's secret is kept.
[GenerateSerializer, Immutable]
public sealed record PendingInvitation(string EventSlug, string InvitationId, string SecretHash);

[GenerateSerializer, Immutable]
public sealed record IssuedSignIn(string ChallengeId, string LinkToken, string Code, DateTimeOffset ExpiresAt);

[GenerateSerializer]
public enum SignInStatus
{
    SignedIn,
    WrongCode,
    LockedOut,
    Expired,
    AlreadyUsed,
    Unknown,
}

[GenerateSerializer, Immutable]
public sealed record SignInOutcome(SignInStatus Status, string? Email = null, PendingInvitation? Invitation = null, int AttemptsLeft = 0);

[GenerateSerializer, Immutable]
public sealed record ChallengeView(string MaskedEmail, DateTimeOffset ExpiresAt, bool IsOpen);

// One sign-in attempt: a link and a 6-digit code sent to one address, keyed by a random id.
// Both expire after Lifetime and work once; MaxCodeAttempts wrong codes close the challenge.
public interface ISignInChallengeGrain : IGrainWithStringKey
{
    Task<IssuedSignIn> IssueAsync(string email, PendingInvitation? invitation);

    Task<ChallengeView?> GetAsync();

    Task<SignInOutcome> RedeemLinkAsync(string secret);

    Task<SignInOutcome> VerifyCodeAsync(string code);
}

[JsonPolymorphic]
[JsonDerivedType(typeof(ChallengeIssued), "challenge-issued")]
[JsonDerivedType(typeof(ChallengeRedeemed), "challenge-redeemed")]
[JsonDerivedType(typeof(CodeRejected), "code-rejected")]
[GenerateSerializer, Immutable]
public abstract record SignInEvent;

[GenerateSerializer, Immutable]
public sealed record ChallengeIssued(string Email, string SecretHash, string CodeHash, DateTimeOffset ExpiresAt, PendingInvitation? Invitation) : SignInEvent;

[GenerateSerializer, Immutable]
public sealed record ChallengeRedeemed(string Via, DateTimeOffset At) : SignInEvent;

[GenerateSerializer, Immutable]
public sealed record CodeRejected(DateTimeOffset At) : SignInEvent;

[GenerateSerializer, Immutable]
public sealed record SignInState(ChallengeIssued? Issued, bool Redeemed, int WrongCodes) : IJournaledState<SignInState, SignInEvent>
{
    public static SignInState Initial { get; } = new(null, false, 0);

    public SignInState Apply(SignInEvent @event) => @event switch
    {
        ChallengeIssued issued => this with { Issued = issued },
        ChallengeRedeemed => this with { Redeemed = true },
        CodeRejected => this with { WrongCodes = WrongCodes + 1 },
        _ => this,
    };
}

[GrainType("sign-in")]
public sealed class SignInChallengeGrain([PersistentState("sign-in", GrainStore.Name)] IPersistentState<Folded<SignInState, SignInEvent>> state, TimeProvider clock) : StateGrain<SignInState, SignInEvent>(state), ISignInChallengeGrain
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);
    public const int MaxCodeAttempts = 5;

    public Task<IssuedSignIn> IssueAsync(string email, PendingInvitation? invitation)
    {
        if (State.Issued is not null)
        {
            throw new InvalidOperationException($"Sign-in challenge {Key} was issued already.");
        }

        var secret = Secrets.NewToken();
        var code = Secrets.NewCode();
        var expiresAt = clock.GetUtcNow() + Lifetime;
        RaiseEvent(new ChallengeIssued(EmailAddress.Normalize(email), Secrets.Hash(secret), Secrets.Hash(Key + code), expiresAt, invitation));
        return Task.FromResult(new IssuedSignIn(Key, $"{Key}.{secret}", code, expiresAt));
    }

    public Task<ChallengeView?> GetAsync() => Task.FromResult(State.Issued is { } issued
        ? new ChallengeView(Mask(issued.Email), issued.ExpiresAt, Closed() is null)
        : null);

    public Task<SignInOutcome> RedeemLinkAsync(string secret)
    {
        if (Closed() is { } closed)
        {
            return Task.FromResult(closed);
        }

        if (!Secrets.Matches(secret, State.Issued!.SecretHash))
        {
            return Task.FromResult(new SignInOutcome(SignInStatus.Unknown));
        }

        return Task.FromResult(Redeem("link"));
    }

    public Task<SignInOutcome> VerifyCodeAsync(string code)
    {
        if (Closed() is { } closed)
        {
            return Task.FromResult(closed);
        }

        var digits = new string((code ?? "").Where(char.IsAsciiDigit).ToArray());
        if (digits.Length == 6 && Secrets.Matches(Key + digits, State.Issued!.CodeHash))
        {
            return Task.FromResult(Redeem("code"));
        }

        // The rejection is stored (this call succeeds), so the count survives restarts and other silos.
        RaiseEvent(new CodeRejected(clock.GetUtcNow()));
        var left = MaxCodeAttempts - State.WrongCodes;
        return Task.FromResult(new SignInOutcome(left > 0 ? SignInStatus.WrongCode : SignInStatus.LockedOut, AttemptsLeft: left));
    }

    private SignInOutcome Redeem(string via)
    {
        RaiseEvent(new ChallengeRedeemed(via, clock.GetUtcNow()));
        return new SignInOutcome(SignInStatus.SignedIn, State.Issued!.Email, State.Issued.Invitation);
    }

    private SignInOutcome? Closed()
    {
        if (State.Issued is null)
        {
            return new SignInOutcome(SignInStatus.Unknown);
        }

        if (State.Redeemed)
        {
            return new SignInOutcome(SignInStatus.AlreadyUsed);
        }

        if (State.WrongCodes >= MaxCodeAttempts)
        {
            return new SignInOutcome(SignInStatus.LockedOut);
        }

        return clock.GetUtcNow() >= State.Issued.ExpiresAt ? new SignInOutcome(SignInStatus.Expired) : null;
    }

    // "a•••@city.org": enough for the person to recognise their address on a shared screen.
    private static string Mask(string email)
    {
        var at = email.IndexOf('@', StringComparison.Ordinal);
        return at <= 1 ? email : email[0] + new string('•', Math.Min(at - 1, 3)) + email[at..];
    }
}
