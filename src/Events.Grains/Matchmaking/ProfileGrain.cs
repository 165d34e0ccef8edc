using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Audit;
using Events.Grains.Journal;

namespace Events.Grains.Matchmaking;

// One person's matchmaking profile in one event, keyed "{slug}/{email}". Every event carries the
// whole profile after the change, so the event's directory (which follows this journal) never has
// to call back.
public interface IProfileGrain : IGrainWithStringKey
{
    Task<MatchProfile?> GetAsync();

    // Listed: whether the person consents to appear to others in this event.
    Task<MatchProfile> SaveAsync(ProfileDraft draft, bool listed);

    Task<MatchProfile> SetListedAsync(bool listed);

    // Organisers: hide from everyone but organisers, or mark as checked by them.
    Task<MatchProfile> ModerateAsync(string actor, ProfileModeration action);
}

[GenerateSerializer]
public enum ProfileModeration
{
    Hide,
    Show,
    Verify,
    Unverify,
}

// The stored names below are part of the database format: add new ones, never rename.
[JsonPolymorphic]
[JsonDerivedType(typeof(ProfileSaved), "profile-saved")]
[JsonDerivedType(typeof(ProfileModerated), "profile-moderated")]
[GenerateSerializer, Immutable]
public abstract record ProfileEvent(MatchProfile Profile);

[GenerateSerializer, Immutable]
public sealed record ProfileSaved(MatchProfile Profile) : ProfileEvent(Profile);

[GenerateSerializer, Immutable]
public sealed record ProfileModerated(string Actor, ProfileModeration Action, MatchProfile Profile) : ProfileEvent(Profile), IAuditedEvent
{
    public AuditAction Audit() => AuditAction.Of("profile-moderated", Action, Profile.Draft.Name, Profile.PersonId);
}

[GenerateSerializer, Immutable]
public sealed record ProfileState(MatchProfile? Profile) : IJournaledState<ProfileState, ProfileEvent>
{
    public static ProfileState Initial { get; } = new((MatchProfile?)null);

    public ProfileState Apply(ProfileEvent @event) => new(@event.Profile);
}

[GrainType("match-profile")]
public sealed class ProfileGrain(TimeProvider clock) : JournalGrain<ProfileState, ProfileEvent>, IProfileGrain
{
    private static readonly Follower Directory = new(
        (grains, source) => grains.GetGrain<IDirectoryGrain>(AuditTrail.EventSlug(source)),
        e => e is ProfileEvent);

    protected override IReadOnlyList<Follower> Followers => [.. base.Followers, Directory];

    private string Slug => ProfileKey.Parse(Key).Slug;

    private string Email => ProfileKey.Parse(Key).Email;

    public Task<MatchProfile?> GetAsync() => Task.FromResult(State.Profile);

    public async Task<MatchProfile> SaveAsync(ProfileDraft draft, bool listed)
    {
        var settings = await GrainFactory.GetGrain<IMatchmakingGrain>(Slug).GetSettingsAsync();
        var clean = ProfileInput.Clean(draft, settings.Themes);
        var profile = (State.Profile ?? new MatchProfile(PersonIds.Of(Slug, Email), Email, clean, listed, false, false, clock.GetUtcNow()))
            with { Draft = clean, Listed = listed, UpdatedAt = clock.GetUtcNow() };
        RaiseEvent(new ProfileSaved(profile));

        // Remembered before this append: if the append is refused, the next event still offers
        // what the person typed, which is what they want to see again.
        await GrainFactory.GetGrain<IPersonMatchGrain>(Email).RememberAsync(clean);
        return profile;
    }

    public Task<MatchProfile> SetListedAsync(bool listed)
    {
        var profile = State.Profile ?? throw new ValidationFailedException(Problem.ProfileMissing);
        if (profile.Listed != listed)
        {
            RaiseEvent(new ProfileSaved(profile with { Listed = listed, UpdatedAt = clock.GetUtcNow() }));
        }

        return Task.FromResult(State.Profile!);
    }

    public Task<MatchProfile> ModerateAsync(string actor, ProfileModeration action)
    {
        var profile = State.Profile ?? throw new ValidationFailedException(Problem.ProfileMissing);
        var changed = action switch
        {
            ProfileModeration.Hide => profile with { Hidden = true },
            ProfileModeration.Show => profile with { Hidden = false },
            ProfileModeration.Verify => profile with { Verified = true },
            ProfileModeration.Unverify => profile with { Verified = false },
            _ => profile,
        };
        if (changed != profile)
        {
            RaiseEvent(new ProfileModerated(actor, action, changed));
        }

        return Task.FromResult(State.Profile!);
    }
}
