using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Events.Grains.Polls;

// How answers become results. Pure functions, so the arithmetic is tested with worked examples.
public static class PollTally
{
    public const int StarsMax = 5;
    public const int ScaleMax = 10;

    // Words people type to a word cloud that say nothing on their own, in the product's languages.
    // Compared folded (no case, no accents), like the words themselves.
    private static readonly FrozenSet<string> StopWords = new[]
    {
        // en
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "in", "is", "it", "of", "on", "or", "our", "so", "that", "the", "their", "this", "to", "we", "with", "very", "more",
        // fr
        "au", "aux", "avec", "ce", "ces", "dans", "de", "des", "du", "elle", "en", "et", "il", "la", "le", "les", "leur", "mais", "nous", "ou", "par", "pas", "plus", "pour", "que", "qui", "sur", "tres", "un", "une",
        // pt
        "ao", "aos", "com", "da", "das", "do", "dos", "e", "em", "essa", "esse", "isso", "mais", "mas", "na", "nas", "no", "nos", "o", "os", "para", "pela", "pelo", "por", "se", "um", "uma", "muito",
    }.ToFrozenSet();

    // The form a word is compared in: lower case, accents removed, inner spaces collapsed, edge punctuation dropped.
    public static string Fold(string word)
    {
        var trimmed = string.Join(' ', word.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            .Trim(['.', ',', ';', ':', '!', '?', '"', '\'', '(', ')', '«', '»', '“', '”', '-']);
        var decomposed = trimmed.ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var folded = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                folded.Append(c);
            }
        }

        return folded.ToString().Normalize(NormalizationForm.FormC);
    }

    public static bool IsStopWord(string word) => StopWords.Contains(Fold(word));

    // The words one person gave, as they count: stop words and repeats dropped.
    public static ImmutableArray<string> CountedWords(IEnumerable<string> words) =>
        [.. words.Where(w => Fold(w).Length > 0 && !IsStopWord(w)).DistinctBy(Fold)];

    // Each word counted once per person, shown in the spelling most people used (accents kept),
    // ties broken by the first spelling in ordinal order so the cloud is stable.
    public static ImmutableArray<WordCount> WordCloud(IEnumerable<ImmutableArray<string>> answers) =>
        [.. answers
            .SelectMany(words => CountedWords(words))
            .GroupBy(Fold)
            .Select(g => new WordCount(
                g.GroupBy(w => w.Trim().ToLowerInvariant()).OrderByDescending(s => s.Count()).ThenBy(s => s.Key, StringComparer.Ordinal).First().Key,
                g.Count()))
            .OrderByDescending(w => w.Count)
            .ThenBy(w => w.Word, StringComparer.Ordinal)];

    // Borda count: with n options, a person's first choice gets n-1 points, their last 0.
    public static ImmutableArray<int> Borda(int options, IEnumerable<ImmutableArray<int>> rankings)
    {
        var points = new int[options];
        foreach (var ranking in rankings)
        {
            for (var place = 0; place < ranking.Length; place++)
            {
                points[ranking[place]] += options - 1 - place;
            }
        }

        return [.. points];
    }

    public static PollResults Results(Poll poll, IReadOnlyCollection<PollResponse> responses, bool moderator)
    {
        var answers = responses.Select(r => r.Answer).ToList();
        return poll.Kind switch
        {
            PollKind.SingleChoice or PollKind.MultipleChoice => new PollResults(
                responses.Count,
                [.. Enumerable.Range(0, poll.Options.Length).Select(i => answers.Count(a => a.Choices.Contains(i)))],
                null, [], []),
            PollKind.Ranking => new PollResults(responses.Count, Borda(poll.Options.Length, answers.Select(a => a.Choices)), null, [], []),
            PollKind.Stars or PollKind.Scale => new PollResults(
                responses.Count,
                [.. Enumerable.Range(poll.Kind == PollKind.Stars ? 1 : 0, poll.Kind == PollKind.Stars ? StarsMax : ScaleMax + 1).Select(v => answers.Count(a => a.Rating == v))],
                answers.Count == 0 ? null : Math.Round(answers.Average(a => a.Rating ?? 0), 1),
                [], []),
            PollKind.WordCloud => new PollResults(responses.Count, [], null, WordCloud(answers.Select(a => a.Words)), []),
            PollKind.OpenText => new PollResults(
                responses.Count, [], null, [],
                [.. responses
                    .Where(r => moderator ? r.TextStatus != TextStatus.Dismissed : r.TextStatus == TextStatus.Approved)
                    .OrderBy(r => r.At)
                    .Select(r => new PollText(r.Id, r.Answer.Text ?? "", r.TextStatus, moderator && !poll.Anonymous ? r.VoterName : null))]),
            _ => new PollResults(responses.Count, [], null, [], []),
        };
    }
}
