using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Journal;

namespace Events.Grains.Matchmaking;

// The profiles of one event (keyed by its slug), as the directory and suggestions read them. It
// follows the profile grains' journals (see IJournalFollower), so a saved profile is here before
// its owner hears "saved". Email addresses stay inside: what leaves is DirectoryEntry, except
// EmailOfAsync, which the meetings flow uses server-side to know whom a request is for.
public interface IDirectoryGrain : IJournalFollower
{
    // Visible entries (consenting, not hidden; organisers also see hidden ones), filtered, in
    // name order. Needs: the viewer's needs, for "offers what I need".
    Task<DirectoryPage> ListAsync(DirectoryQuery query, ImmutableArray<NeedOffer> needs, bool organiser);

    Task<DirectoryEntry?> FindAsync(string personId, bool organiser);

    // Every profile visible to others, for suggestions.
    Task<ImmutableArray<DirectoryEntry>> VisibleAsync();

    Task<string?> EmailOfAsync(string personId);

    // Every profile, listed or not, with its address: for organisers' statistics and exports only.
    Task<ImmutableArray<MatchProfile>> AllAsync();
}

[JsonPolymorphic]
[JsonDerivedType(typeof(DirectoryProfileTaken), "directory-profile-taken")]
[JsonDerivedType(typeof(DirectorySourceFollowed), "directory-source-followed")]
[GenerateSerializer, Immutable]
public abstract record DirectoryEvent;

[GenerateSerializer, Immutable]
public sealed record DirectoryProfileTaken(MatchProfile Profile, string Source, long Sequence) : DirectoryEvent;

[GenerateSerializer, Immutable]
public sealed record DirectorySourceFollowed(string Source, long UpTo) : DirectoryEvent;

[GenerateSerializer, Immutable]
public sealed record DirectoryState(ImmutableDictionary<string, MatchProfile> ByPerson, FollowedSources Sources)
    : IJournaledState<DirectoryState, DirectoryEvent>
{
    public static DirectoryState Initial { get; } = new(ImmutableDictionary<string, MatchProfile>.Empty, FollowedSources.None);

    public DirectoryState Apply(DirectoryEvent @event) => @event switch
    {
        DirectoryProfileTaken taken => new(ByPerson.SetItem(taken.Profile.PersonId, taken.Profile), Sources.With(taken.Source, taken.Sequence)),
        DirectorySourceFollowed followed => this with { Sources = Sources.With(followed.Source, followed.UpTo) },
        _ => this,
    };
}

[GrainType("match-directory")]
public sealed class DirectoryGrain : JournalGrain<DirectoryState, DirectoryEvent>, IDirectoryGrain
{
    public const int MaxPageSize = 50;

    public Task<long?> FollowedUpToAsync(JournalKey source) => Task.FromResult<long?>(State.Sources.Of(source.ToString()));

    public Task FollowAsync(JournalKey source, long upTo, ImmutableArray<GrainEvent> events)
    {
        var name = source.ToString();
        foreach (var e in State.Sources.New(source, events))
        {
            if (e.Event is ProfileEvent changed)
            {
                RaiseEvent(new DirectoryProfileTaken(changed.Profile, name, e.Sequence));
            }
        }

        if (upTo > State.Sources.Of(name))
        {
            RaiseEvent(new DirectorySourceFollowed(name, upTo));
        }

        return Task.CompletedTask;
    }

    public Task<DirectoryPage> ListAsync(DirectoryQuery query, ImmutableArray<NeedOffer> needs, bool organiser)
    {
        var size = Math.Clamp(query.PageSize, 1, MaxPageSize);
        var needThemes = (needs.IsDefault ? [] : needs).Select(n => n.Theme).ToHashSet(StringComparer.Ordinal);
        var matching = State.ByPerson.Values
            .Where(p => p.Listed && (organiser || !p.Hidden))
            .Where(p => query.Type is null || p.Draft.Type == query.Type)
            .Where(p => string.IsNullOrEmpty(query.Theme) || p.Draft.Themes.Contains(query.Theme) || p.Draft.Offers.Any(o => o.Theme == query.Theme) || p.Draft.Needs.Any(n => n.Theme == query.Theme))
            .Where(p => string.IsNullOrEmpty(query.Country) || string.Equals(p.Draft.Country, query.Country, StringComparison.OrdinalIgnoreCase))
            .Where(p => string.IsNullOrEmpty(query.Language) || p.Draft.Languages.Contains(query.Language, StringComparer.OrdinalIgnoreCase))
            .Where(p => !query.OffersWhatINeed || p.Draft.Offers.Any(o => needThemes.Contains(o.Theme)))
            .OrderBy(p => p.Draft.Name, StringComparer.OrdinalIgnoreCase).ThenBy(p => p.PersonId, StringComparer.Ordinal)
            .ToList();
        var page = Math.Clamp(query.Page, 1, Math.Max(1, (matching.Count + size - 1) / size));
        return Task.FromResult(new DirectoryPage([.. matching.Skip((page - 1) * size).Take(size).Select(p => p.Entry)], matching.Count, page, size));
    }

    public Task<DirectoryEntry?> FindAsync(string personId, bool organiser) =>
        Task.FromResult(State.ByPerson.GetValueOrDefault(personId) is { Listed: true } p && (organiser || !p.Hidden) ? p.Entry : null);

    public Task<ImmutableArray<DirectoryEntry>> VisibleAsync() =>
        Task.FromResult(State.ByPerson.Values.Where(p => p.VisibleToOthers).OrderBy(p => p.PersonId, StringComparer.Ordinal).Select(p => p.Entry).ToImmutableArray());

    public Task<string?> EmailOfAsync(string personId) => Task.FromResult(State.ByPerson.GetValueOrDefault(personId)?.Email);

    public Task<ImmutableArray<MatchProfile>> AllAsync() =>
        Task.FromResult(State.ByPerson.Values.OrderBy(p => p.Draft.Name, StringComparer.OrdinalIgnoreCase).ThenBy(p => p.PersonId, StringComparer.Ordinal).ToImmutableArray());
}
