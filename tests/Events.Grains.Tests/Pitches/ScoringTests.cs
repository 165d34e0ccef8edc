using System.Collections.Immutable;
using Events.Grains.Pitches;

namespace Events.Grains.Tests.Pitches;

public sealed class ScoringTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);

    private static readonly Criterion[] Rubric =
    [
        new("challenge", "The challenge", "", 1),
        new("evidence", "Evidence from the pilot", "", 3),
    ];

    private static Scorecard Card(string investor, int challenge, int evidence, bool conflict = false, int minute = 0, string comment = "") =>
        new(investor, ImmutableDictionary<string, int>.Empty.Add("challenge", challenge).Add("evidence", evidence), comment, "private", Interest.Interested, conflict, T0.AddMinutes(minute));

    [Fact]
    public void The_median_of_an_even_count_is_the_mean_of_the_middle_two()
    {
        var summary = Scoring.Summarise(Rubric, [Card("a", 1, 2), Card("b", 4, 2), Card("c", 2, 5), Card("d", 5, 5)]);

        var challenge = summary.Criteria[0];
        Assert.Equal(4, challenge.Count);
        Assert.Equal(3.0, challenge.Median);
        Assert.Equal(3.0, challenge.Mean);
        Assert.Equal([1, 1, 0, 1, 1], challenge.Histogram);
        Assert.Equal(3.5, summary.Criteria[1].Median);
    }

    [Fact]
    public void Weights_decide_the_total()
    {
        // challenge mean 2 (weight 1), evidence mean 4 (weight 3): (2 + 12) / 4 = 3.5
        var summary = Scoring.Summarise(Rubric, [Card("a", 1, 4), Card("b", 3, 4)]);

        Assert.Equal(3.5, summary.WeightedTotal);
    }

    [Fact]
    public void An_investor_with_a_conflict_counts_nowhere()
    {
        var summary = Scoring.Summarise(Rubric, [Card("a", 2, 2, comment: "Solid pilot"), Card("b", 5, 5, conflict: true, comment: "My own company")]);

        Assert.Equal(1, summary.Scorecards);
        Assert.All(summary.Criteria, c => Assert.Equal(1, c.Count));
        Assert.Equal(2.0, summary.WeightedTotal);
        Assert.Equal(["Solid pilot"], summary.Comments);
    }

    [Fact]
    public void An_investor_who_changed_a_score_is_counted_once_with_the_latest_scores()
    {
        var summary = Scoring.Summarise(Rubric, [Card("a", 1, 1, minute: 0), Card("a", 4, 4, minute: 5), Card("b", 2, 2)]);

        Assert.Equal(2, summary.Scorecards);
        Assert.Equal(3.0, summary.Criteria[0].Mean);
        Assert.Equal([0, 1, 0, 1, 0], summary.Criteria[0].Histogram);
    }

    [Fact]
    public void With_no_scores_everything_is_zero_rather_than_an_error()
    {
        var summary = Scoring.Summarise(Rubric, []);

        Assert.Equal(0, summary.WeightedTotal);
        Assert.All(summary.Criteria, c => Assert.Equal((0, 0.0, 0.0), (c.Count, c.Mean, c.Median)));
    }
}
