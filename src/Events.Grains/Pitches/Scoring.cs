using System.Collections.Immutable;

namespace Events.Grains.Pitches;

[GenerateSerializer, Immutable]
public sealed record Criterion(string Id, string Name, string Description, int Weight);

[GenerateSerializer]
public enum Interest
{
    Pass,
    Interested,
    FollowUp,
}

// One investor's scores for one pitch. Conflict: the investor declared a conflict of interest, and
// none of their scores count in any aggregate.
[GenerateSerializer, Immutable]
public sealed record Scorecard(
    string Investor,
    ImmutableDictionary<string, int> Scores,
    string Comment,
    string PrivateNote,
    Interest Interest,
    bool Conflict,
    DateTimeOffset UpdatedAt);

[GenerateSerializer, Immutable]
public sealed record CriterionSummary(string CriterionId, int Count, double Mean, double Median, ImmutableArray<int> Histogram);

[GenerateSerializer, Immutable]
public sealed record PitchSummary(ImmutableArray<CriterionSummary> Criteria, double WeightedTotal, int Scorecards, ImmutableArray<string> Comments);

// The released feedback, as pure arithmetic over the latest scorecard of each investor.
public static class Scoring
{
    public const int Min = 1;
    public const int Max = 5;

    public static PitchSummary Summarise(IReadOnlyList<Criterion> rubric, IEnumerable<Scorecard> scorecards)
    {
        // One scorecard per investor (the latest), and none from an investor with a conflict.
        var counted = scorecards
            .GroupBy(s => s.Investor)
            .Select(g => g.MaxBy(s => s.UpdatedAt)!)
            .Where(s => !s.Conflict)
            .ToList();

        var criteria = rubric.Select(criterion =>
        {
            var values = counted.Where(s => s.Scores.ContainsKey(criterion.Id)).Select(s => s.Scores[criterion.Id]).Order().ToList();
            var histogram = Enumerable.Range(Min, Max - Min + 1).Select(v => values.Count(x => x == v)).ToImmutableArray();
            return new CriterionSummary(criterion.Id, values.Count, values.Count == 0 ? 0 : values.Average(), Median(values), histogram);
        }).ToImmutableArray();

        var weights = rubric.Zip(criteria).Where(p => p.Second.Count > 0).ToList();
        var totalWeight = weights.Sum(p => p.First.Weight);
        var weighted = totalWeight == 0 ? 0 : weights.Sum(p => p.First.Weight * p.Second.Mean) / totalWeight;
        var comments = counted.Select(s => s.Comment.Trim()).Where(c => c.Length > 0).Order(StringComparer.Ordinal).ToImmutableArray();
        return new PitchSummary(criteria, Math.Round(weighted, 2), counted.Count, comments);
    }

    // The middle value; with an even count, the mean of the two middle values.
    public static double Median(IReadOnlyList<int> sorted) => sorted.Count switch
    {
        0 => 0,
        var n when n % 2 == 1 => sorted[n / 2],
        var n => (sorted[(n / 2) - 1] + sorted[n / 2]) / 2.0,
    };
}
