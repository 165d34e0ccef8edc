using System.Collections.Immutable;

namespace Events.Grains.Polls;

// Stars: 1–5. Scale: 0–10. Ranking: the person orders every option, best first (Borda count).
[GenerateSerializer]
public enum PollKind
{
    SingleChoice,
    MultipleChoice,
    Stars,
    Scale,
    WordCloud,
    OpenText,
    Ranking,
}

[GenerateSerializer]
public enum PollStatus
{
    Draft,
    Live,
    Closed,
}

[GenerateSerializer]
public enum PollControl
{
    Launch,
    Close,
    Reopen,
    ShowResults,
    HideResults,
    Reset,
}

// Open-text answers are moderated like questions: the audience sees only approved ones.
[GenerateSerializer]
public enum TextStatus
{
    Pending,
    Approved,
    Dismissed,
}

[GenerateSerializer, Immutable]
public sealed record PollDraft(PollKind Kind, string Question, ImmutableArray<string> Options, bool Anonymous);

[GenerateSerializer, Immutable]
public sealed record Poll(
    string Id,
    PollKind Kind,
    string Question,
    ImmutableArray<string> Options,
    bool Anonymous,
    PollStatus Status,
    bool ResultsShown);

// One person's answer. Choices: the chosen option indexes (single, multiple), or for a ranking
// every index in the person's order, best first. Rating: stars or scale. Words: up to three.
[GenerateSerializer, Immutable]
public sealed record PollAnswer(ImmutableArray<int> Choices, int? Rating, ImmutableArray<string> Words, string? Text)
{
    public static PollAnswer Empty { get; } = new([], null, [], null);
}

[GenerateSerializer, Immutable]
public sealed record Respondent(string Email, string Name);

// Id: "a" and the sequence number of the event that first recorded it; moderators approve texts by it.
[GenerateSerializer, Immutable]
public sealed record PollResponse(string Id, string Voter, string VoterName, PollAnswer Answer, DateTimeOffset At, TextStatus TextStatus);

[GenerateSerializer, Immutable]
public sealed record WordCount(string Word, int Count);

[GenerateSerializer, Immutable]
public sealed record PollText(string Id, string Text, TextStatus Status, string? Author);

// Counts: per option (choices), per value (stars 1–5 as 0–4, scale 0–10), or Borda points
// (ranking). Average: ratings only.
[GenerateSerializer, Immutable]
public sealed record PollResults(int Respondents, ImmutableArray<int> Counts, double? Average, ImmutableArray<WordCount> Words, ImmutableArray<PollText> Texts);

// One answer as a moderator sees it on a poll that is not anonymous.
[GenerateSerializer, Immutable]
public sealed record NamedAnswer(string Name, string Answer);

// A poll as one viewer may see it: results only when shown (moderators always), names only for
// moderators of polls that are not anonymous. How many answered is never secret.
[GenerateSerializer, Immutable]
public sealed record PollView(Poll Poll, PollAnswer? MyAnswer, PollResults? Results, ImmutableArray<NamedAnswer> Answers, int Respondents);

[GenerateSerializer, Immutable]
public sealed record PollsView(long Version, ImmutableArray<PollView> Polls)
{
    public PollView? Live => Polls.FirstOrDefault(p => p.Poll.Status == PollStatus.Live);
}

[GenerateSerializer, Immutable]
public sealed record ExportedResponse(string PollId, PollResponse Response);

[GenerateSerializer, Immutable]
public sealed record PollExport(ImmutableArray<Poll> Polls, ImmutableArray<ExportedResponse> Responses);
