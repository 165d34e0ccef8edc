using System.Collections.Immutable;
using System.Numerics;

namespace Events.Grains.Matchmaking;

[GenerateSerializer]
public enum ReasonKind
{
    // "{Who} offers “{Their}” for your need “{Mine}”."
    TheyOfferWhatYouNeed,
    // "You offer “{Mine}” for their need “{Their}”."
    YouOfferWhatTheyNeed,
    // "Shared themes: {Their}."
    SharedThemes,
    // "{Who} is {their type}; you are {your type}." Their/Mine hold the OrgType names.
    ComplementaryTypes,

    // "You scored {Who}'s pitch {Their} out of 5." For an investor, about a team they scored high.
    YouScoredTheirPitch,
}

[GenerateSerializer, Immutable]
public sealed record SuggestionReason(ReasonKind Kind, string Who, string Their, string Mine);

[GenerateSerializer, Immutable]
public sealed record Suggestion(DirectoryEntry Person, int Score, ImmutableArray<SuggestionReason> Reasons);

// Suggestions from profiles alone, deterministic: the same profiles give the same list in the same
// order. Points: a need of mine met by an offer of theirs on the same theme 10 (it is why people
// come), the reverse 6, each shared theme 2, complementary types (a city and anyone who can help
// a city) 3, and for an investor a team whose pitch they scored HighPitchScore or more on average 8.
// Ties go to the lower person id, so the order never depends on timing.
public sealed class SuggestionEngine
{
    public const int TheyOfferPoints = 10;
    public const int YouOfferPoints = 6;
    public const int SharedThemePoints = 2;
    public const int ComplementaryPoints = 3;
    public const int PitchScorePoints = 8;
    public const decimal HighPitchScore = 4m;
    public const int MaxSuggestions = 10;

    private readonly DirectoryEntry[] _people;
    private readonly Compiled[] _compiled;
    private readonly Dictionary<string, int> _themeBits = new(StringComparer.Ordinal);

    public SuggestionEngine(IEnumerable<DirectoryEntry> visible)
    {
        _people = [.. visible.OrderBy(e => e.PersonId, StringComparer.Ordinal)];
        _compiled = [.. _people.Select(Compile)];
    }

    public static bool Complementary(OrgType a, OrgType b) =>
        (a == OrgType.City) != (b == OrgType.City);

    // Known: person ids to leave out (already met, declined, or the viewer's own). PitchScores: for
    // an investor, their average score for the pitch of each person's team, by person id.
    public ImmutableArray<Suggestion> For(DirectoryEntry me, IReadOnlySet<string> known, int max = MaxSuggestions, IReadOnlyDictionary<string, decimal>? pitchScores = null)
    {
        var mine = Compile(me);
        var best = new List<(int Score, int Index)>(max + 1);
        for (var i = 0; i < _people.Length; i++)
        {
            var person = _people[i];
            if (person.PersonId == me.PersonId || known.Contains(person.PersonId))
            {
                continue;
            }

            var score = Score(mine, _compiled[i]) + (High(pitchScores, person.PersonId) is not null ? PitchScorePoints : 0);
            if (score == 0 || (best.Count == max && score <= best[^1].Score))
            {
                continue;
            }

            // Kept sorted by score, then id (the people are in id order, so a later equal score
            // goes after the earlier one).
            // (A loop, not FindIndex: a lambda capturing the score would allocate on every person.)
            var at = best.Count;
            while (at > 0 && best[at - 1].Score < score)
            {
                at--;
            }

            best.Insert(at, (score, i));
            if (best.Count > max)
            {
                best.RemoveAt(max);
            }
        }

        return [.. best.Select(b => new Suggestion(_people[b.Index], b.Score, Reasons(me, _people[b.Index], High(pitchScores, _people[b.Index].PersonId))))];
    }

    private static decimal? High(IReadOnlyDictionary<string, decimal>? pitchScores, string personId) =>
        pitchScores is not null && pitchScores.TryGetValue(personId, out var score) && score >= HighPitchScore ? score : null;

    private static int Score(Compiled me, Compiled them)
    {
        var score = TheyOfferPoints * Matches(me.Needs, them.Offers)
            + YouOfferPoints * Matches(them.Needs, me.Offers)
            + SharedThemePoints * BitOperations.PopCount(me.Themes & them.Themes);
        return score > 0 && Complementary(me.Type, them.Type) ? score + ComplementaryPoints : score;
    }

    // Needs are counted one by one (two needs on one theme are two reasons); offers by theme.
    private static int Matches(int[] needs, ulong offers)
    {
        var count = 0;
        foreach (var need in needs)
        {
            if ((offers & (1UL << need)) != 0)
            {
                count++;
            }
        }

        return count;
    }

    public static ImmutableArray<SuggestionReason> Reasons(DirectoryEntry me, DirectoryEntry them, decimal? pitchScore = null)
    {
        var who = Who(them.Profile);
        var reasons = ImmutableArray.CreateBuilder<SuggestionReason>();
        if (pitchScore is { } scored)
        {
            reasons.Add(new SuggestionReason(ReasonKind.YouScoredTheirPitch, who, scored.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture), ""));
        }

        foreach (var need in me.Profile.Needs)
        {
            foreach (var offer in them.Profile.Offers.Where(o => o.Theme == need.Theme))
            {
                reasons.Add(new SuggestionReason(ReasonKind.TheyOfferWhatYouNeed, who, offer.Title, need.Title));
            }
        }

        foreach (var need in them.Profile.Needs)
        {
            foreach (var offer in me.Profile.Offers.Where(o => o.Theme == need.Theme))
            {
                reasons.Add(new SuggestionReason(ReasonKind.YouOfferWhatTheyNeed, who, need.Title, offer.Title));
            }
        }

        var shared = me.Profile.Themes.Intersect(them.Profile.Themes).ToList();
        if (shared.Count > 0)
        {
            reasons.Add(new SuggestionReason(ReasonKind.SharedThemes, who, string.Join(", ", shared), ""));
        }

        if (reasons.Count > 0 && Complementary(me.Profile.Type, them.Profile.Type))
        {
            reasons.Add(new SuggestionReason(ReasonKind.ComplementaryTypes, who, them.Profile.Type.ToString(), me.Profile.Type.ToString()));
        }

        return reasons.ToImmutable();
    }

    // How a reason names the other side: their city for a city team, else their organisation.
    public static string Who(ProfileDraft profile) =>
        profile.Type == OrgType.City && profile.City.Length > 0 ? profile.City
        : profile.Organisation.Length > 0 ? profile.Organisation
        : profile.Name;

    private Compiled Compile(DirectoryEntry entry)
    {
        var p = entry.Profile;
        return new Compiled(
            p.Type,
            Mask(p.Themes),
            Mask(p.Offers.Select(o => o.Theme)),
            [.. p.Needs.Select(n => Bit(n.Theme)).Where(b => b >= 0)]);
    }

    private ulong Mask(IEnumerable<string> themes)
    {
        var mask = 0UL;
        foreach (var theme in themes)
        {
            if (Bit(theme) is var bit and >= 0)
            {
                mask |= 1UL << bit;
            }
        }

        return mask;
    }

    // Themes come from the event's list (at most 64, a setting refused beyond): one bit each.
    private int Bit(string theme)
    {
        if (!_themeBits.TryGetValue(theme, out var bit))
        {
            bit = _themeBits.Count < 64 ? _themeBits.Count : -1;
            _themeBits[theme] = bit;
        }

        return bit;
    }

    private sealed record Compiled(OrgType Type, ulong Themes, ulong Offers, int[] Needs);
}
