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
}

[JsonPolymorphic]
[JsonDerivedType(typeof(AccountCreated), "account-created")]
[JsonDerivedType(typeof(ProfileUpdated), "profile-updated")]
[GenerateSerializer, Immutable]
public abstract record AccountEvent;

[GenerateSerializer, Immutable]
public sealed record AccountCreated(string Email, string Language, DateTimeOffset At) : AccountEvent;

[GenerateSerializer, Immutable]
public sealed record ProfileUpdated(AccountProfile Profile) : AccountEvent;

[GenerateSerializer, Immutable]
public sealed record AccountState(Account? Account) : IJournaledState<AccountState, AccountEvent>
{
    public static AccountState Initial { get; } = new((Account?)null);

    public AccountState Apply(AccountEvent @event) => @event switch
    {
        AccountCreated created => new(new Account(created.Email, "", "", "", created.Language, created.At)),
        ProfileUpdated updated when Account is not null => new(Account with
        {
            DisplayName = updated.Profile.DisplayName,
            Organisation = updated.Profile.Organisation,
            Country = updated.Profile.Country,
            Language = updated.Profile.Language,
        }),
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
