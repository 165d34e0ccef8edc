using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Journal;

namespace Events.Grains.People;

[GenerateSerializer, Immutable]
public sealed record Account(string Email, string DisplayName, string Organisation, string Country, string Language, DateTimeOffset CreatedAt)
{
    public bool HasProfile => DisplayName.Length > 0;
}

[GenerateSerializer, Immutable]
public sealed record AccountProfile(string DisplayName, string Organisation, string Country, string Language);

// A person, keyed by their normalized email address.
public interface IAccountGrain : IGrainWithStringKey
{
    Task<Account?> GetAsync();

    // Creates the account on a first sign-in; returns it either way.
    Task<Account> EnsureAsync(string language);

    Task<Account> UpdateProfileAsync(AccountProfile profile);

    // Sign-in cookies name their session and the account's session generation when they were
    // issued; "sign out everywhere" starts a new generation. A cookie is honoured only while its
    // session is not signed out and its generation is the current one. A cookie from before
    // sessions were named (no id) is honoured until the first "sign out everywhere".
    Task<bool> IsSessionActiveAsync(string? sessionId, int generation);

    Task<int> SessionGenerationAsync();

    // Signing out a cookie with no session id can only sign out everywhere.
    Task SignOutAsync(string? sessionId);

    Task SignOutEverywhereAsync();
}

[JsonPolymorphic]
[JsonDerivedType(typeof(AccountCreated), "account-created")]
[JsonDerivedType(typeof(ProfileUpdated), "profile-updated")]
[JsonDerivedType(typeof(SessionSignedOut), "session-signed-out")]
[JsonDerivedType(typeof(SignedOutEverywhere), "signed-out-everywhere")]
[GenerateSerializer, Immutable]
public abstract record AccountEvent;

[GenerateSerializer, Immutable]
public sealed record AccountCreated(string Email, string Language, DateTimeOffset At) : AccountEvent;

[GenerateSerializer, Immutable]
public sealed record ProfileUpdated(AccountProfile Profile) : AccountEvent;

// Sessions signed out stay listed as long as their cookie could still be presented.
[GenerateSerializer, Immutable]
public sealed record SessionSignedOut(string SessionId, DateTimeOffset At) : AccountEvent;

[GenerateSerializer, Immutable]
public sealed record SignedOutEverywhere(DateTimeOffset At) : AccountEvent;

// SignedOut and Generation are absent from rows stored before sign-out was kept.
[GenerateSerializer, Immutable]
public sealed record AccountState(Account? Account, ImmutableDictionary<string, DateTimeOffset>? SignedOut = null, int Generation = 0)
    : IJournaledState<AccountState, AccountEvent>
{
    // A sign-in cookie lives this long after its last use (sliding), so a signed-out session is
    // remembered this long after its sign-out.
    public static readonly TimeSpan CookieLifetime = TimeSpan.FromDays(30);

    public static AccountState Initial { get; } = new((Account?)null);

    public AccountState Apply(AccountEvent @event) => @event switch
    {
        AccountCreated created => this with { Account = new Account(created.Email, "", "", "", created.Language, created.At) },
        SessionSignedOut signedOut => this with
        {
            SignedOut = (SignedOut ?? ImmutableDictionary<string, DateTimeOffset>.Empty)
                .RemoveRange(SignedOut?.Where(s => s.Value < signedOut.At - CookieLifetime).Select(s => s.Key) ?? [])
                .SetItem(signedOut.SessionId, signedOut.At),
        },
        SignedOutEverywhere => this with { SignedOut = null, Generation = Generation + 1 },
        ProfileUpdated updated when Account is not null => this with { Account = Account with
        {
            DisplayName = updated.Profile.DisplayName,
            Organisation = updated.Profile.Organisation,
            Country = updated.Profile.Country,
            Language = updated.Profile.Language,
        } },
        _ => this,
    };
}

[GrainType("account")]
public sealed class AccountGrain([PersistentState("account", GrainStore.Name)] IPersistentState<Folded<AccountState, AccountEvent>> state, TimeProvider clock) : StateGrain<AccountState, AccountEvent>(state), IAccountGrain
{
    public static readonly ImmutableArray<string> Languages = ["en", "fr", "pt"];

    public Task<Account?> GetAsync() => Task.FromResult(State.Account);

    public Task<Account> EnsureAsync(string language)
    {
        if (State.Account is null)
        {
            RaiseEvent(new AccountCreated(Key, Languages.Contains(language) ? language : "en", clock.GetUtcNow()));
        }

        return Task.FromResult(State.Account!);
    }

    public Task<Account> UpdateProfileAsync(AccountProfile profile)
    {
        if (State.Account is null)
        {
            throw new ValidationFailedException(Problem.AccountMissing);
        }

        var clean = new AccountProfile(
            Field(profile.DisplayName, 100, Problem.DisplayNameTooLong, Problem.DisplayNameRequired),
            Field(profile.Organisation, 150, Problem.OrganisationTooLong),
            Field(profile.Country, 80, Problem.CountryTooLong),
            profile.Language);
        if (!Languages.Contains(clean.Language))
        {
            throw new ValidationFailedException(Problem.LanguageChoice);
        }

        RaiseEvent(new ProfileUpdated(clean));
        return Task.FromResult(State.Account!);
    }

    public Task<bool> IsSessionActiveAsync(string? sessionId, int generation) =>
        Task.FromResult(generation == State.Generation && (sessionId is null || State.SignedOut?.ContainsKey(sessionId) != true));

    public Task<int> SessionGenerationAsync() => Task.FromResult(State.Generation);

    public Task SignOutAsync(string? sessionId)
    {
        RaiseEvent(sessionId is null ? new SignedOutEverywhere(clock.GetUtcNow()) : new SessionSignedOut(sessionId, clock.GetUtcNow()));
        return Task.CompletedTask;
    }

    public Task SignOutEverywhereAsync()
    {
        RaiseEvent(new SignedOutEverywhere(clock.GetUtcNow()));
        return Task.CompletedTask;
    }

    private static string Field(string? value, int max, Problem tooLong, Problem? missing = null)
    {
        var trimmed = (value ?? "").Trim();
        if (missing is { } required && trimmed.Length == 0)
        {
            throw new ValidationFailedException(required);
        }

        if (trimmed.Length > max)
        {
            throw new ValidationFailedException(tooLong, max, trimmed.Length);
        }

        return trimmed;
    }
}
