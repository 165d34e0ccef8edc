using System.Collections.Immutable;
using Events.Grains.Polls;

namespace Events.Grains.Tests.Polls;

public sealed class PollTallyTests
{
    [Fact]
    public void Words_are_compared_without_case_or_accents_but_shown_as_most_people_wrote_them()
    {
        ImmutableArray<string>[] answers =
        [
            ["Mobilité", "e-tax", "the"],
            ["mobilite", "E-Tax!", "Transparence"],
            ["MOBILITÉ", "données ouvertes"],
            ["mobilité", "et", "de"],
        ];

        var cloud = PollTally.WordCloud(answers);

        Assert.Equal(
            [new WordCount("mobilité", 4), new WordCount("e-tax", 2), new WordCount("données ouvertes", 1), new WordCount("transparence", 1)],
            cloud);
    }

    [Fact]
    public void One_person_s_repeated_word_counts_once_and_stop_words_in_english_french_and_portuguese_are_ignored()
    {
        Assert.Equal(["Land"], PollTally.CountedWords(["Land", "land.", "LAND"]));
        Assert.Empty(PollTally.CountedWords(["the", "Les", "uma"]));
        Assert.Equal("cadastre urbain", PollTally.Fold("  Cadastre   Urbain! "));
    }

    [Fact]
    public void A_ranking_is_counted_by_borda_points()
    {
        // Three options, three people: A>B>C, B>A>C, B>C>A. Points 2/1/0 per place.
        // A: 2+1+0 = 3; B: 1+2+2 = 5; C: 0+0+1 = 1.
        ImmutableArray<int>[] rankings = [[0, 1, 2], [1, 0, 2], [1, 2, 0]];

        Assert.Equal([3, 5, 1], PollTally.Borda(3, rankings));
    }

    [Fact]
    public void Ratings_count_each_value_and_average_to_one_decimal()
    {
        var poll = new Poll("p1", PollKind.Stars, "How ready is this pilot to scale?", [], true, PollStatus.Live, true);
        PollResponse Rated(string who, int stars) => new("a" + who, who, who, PollAnswer.Empty with { Rating = stars }, DateTimeOffset.UnixEpoch, TextStatus.Pending);

        var results = PollTally.Results(poll, [Rated("a", 5), Rated("b", 4), Rated("c", 4)], moderator: false);

        Assert.Equal([0, 0, 0, 2, 1], results.Counts);
        Assert.Equal(4.3, results.Average);
        Assert.Equal(3, results.Respondents);
    }
}
