using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Audit;
using Events.Grains.Journal;

namespace Events.Grains.Questions;

[GenerateSerializer]
public enum QuestionStatus
{
    Pending,
    Visible,
    Dismissed,
    Answered,
    Withdrawn,
}

[GenerateSerializer]
public enum ModerationAction
{
    Approve,
    Dismiss,
    Answer,
    Pin,
    Unpin,
}

[GenerateSerializer, Immutable]
public sealed record Asker(string Email, string Name);

[GenerateSerializer, Immutable]
public sealed record Question(
    string Id,
    string AuthorEmail,
    string AuthorName,
    bool Anonymous,
    string Text,
    DateTimeOffset AskedAt,
    QuestionStatus Status,
    ImmutableHashSet<string> Voters,
    DateTimeOffset? AnsweredAt);

// One question as one viewer may see it: no author where the viewer may not know it.
[GenerateSerializer, Immutable]
public sealed record QuestionView(
    string Id,
    string Text,
    string? Author,
    bool Anonymous,
    QuestionStatus Status,
    int Votes,
    bool VotedByMe,
    bool Mine,
    bool Pinned,
    DateTimeOffset AskedAt,
    DateTimeOffset? AnsweredAt,
    long Changed = long.MaxValue);

[GenerateSerializer, Immutable]
public sealed record BoardView(long Version, bool PreModerated, ImmutableArray<QuestionView> Questions);

// Everything about a board, for the organisers' export.
[GenerateSerializer, Immutable]
public sealed record BoardExport(ImmutableArray<Question> Questions);

// The audience's questions for one session (mixer slots and pitch rooms are sessions too),
// keyed "{event slug}/{session id}".
public interface IQuestionBoardGrain : IGrainWithStringKey
{
    Task<BoardView> GetAsync(string? viewer, bool moderator);

    Task<QuestionView> AskAsync(Asker asker, string text, bool anonymous, string idempotencyKey);

    Task EditAsync(string author, string questionId, string text);

    Task WithdrawAsync(string author, string questionId);

    Task<int> VoteAsync(string voter, string questionId, bool up);

    Task ModerateAsync(string actor, string questionId, ModerationAction action);

    Task CorrectAsync(string actor, string questionId, string text);

    Task SetPreModeratedAsync(string actor, bool preModerated);

    Task<BoardExport> ExportAsync();
}

[JsonPolymorphic]
[JsonDerivedType(typeof(QuestionAsked), "question-asked")]
[JsonDerivedType(typeof(QuestionEdited), "question-edited")]
[JsonDerivedType(typeof(QuestionWithdrawn), "question-withdrawn")]
[JsonDerivedType(typeof(QuestionVoted), "question-voted")]
[JsonDerivedType(typeof(QuestionModerated), "question-moderated")]
[JsonDerivedType(typeof(QuestionCorrected), "question-corrected")]
[JsonDerivedType(typeof(BoardModeSet), "board-mode-set")]
[GenerateSerializer, Immutable]
public abstract record BoardEvent;

[GenerateSerializer, Immutable]
public sealed record QuestionAsked(Question Question, string IdempotencyKey) : BoardEvent;

[GenerateSerializer, Immutable]
public sealed record QuestionEdited(string QuestionId, string Text) : BoardEvent;

[GenerateSerializer, Immutable]
public sealed record QuestionWithdrawn(string QuestionId) : BoardEvent;

// Count is the question's votes after this one, so pushes need not fold the board.
[GenerateSerializer, Immutable]
public sealed record QuestionVoted(string QuestionId, string Voter, bool Up, int Count) : BoardEvent;

[GenerateSerializer, Immutable]
public sealed record QuestionModerated(string Actor, string QuestionId, ModerationAction Action, DateTimeOffset At) : BoardEvent, IAuditedEvent
{
    public AuditAction Audit() => AuditAction.Of("question-moderated", QuestionId, Action);
}

[GenerateSerializer, Immutable]
public sealed record QuestionCorrected(string Actor, string QuestionId, string Before, string After) : BoardEvent, IAuditedEvent
{
    public AuditAction Audit() => AuditAction.Of("question-corrected", QuestionId, Before, After);
}

[GenerateSerializer, Immutable]
public sealed record BoardModeSet(string Actor, bool PreModerated) : BoardEvent, IAuditedEvent
{
    public AuditAction Audit() => AuditAction.Of(PreModerated ? "board-premoderated" : "board-open");
}

[GenerateSerializer, Immutable]
public sealed record BoardState(
    bool PreModerated,
    ImmutableList<Question> Questions,
    string? PinnedId,
    ImmutableDictionary<string, string> ByIdempotencyKey,
    PartVersions? Parts = null) : IJournaledState<BoardState, BoardEvent>
{
    // Which question each event last changed; a pin changes the question it moves from too.
    public PartVersions Versions => Parts ?? PartVersions.Initial;

    public static BoardState Initial { get; } = new(false, [], null, ImmutableDictionary<string, string>.Empty);

    // By index, not LINQ: every vote finds its question twice and folds it once, and enumerating an
    // ImmutableList through IEnumerable costs an enumerator and a tree walk each time.
    public Question? Find(string id) => IndexOf(id) is >= 0 and var index ? Questions[index] : null;

    private int IndexOf(string id) => Questions.FindIndex(q => q.Id == id);

    // Keys come from browsers: each person's are their own, so one person's key never answers another.
    public static string KeyOf(string author, string idempotencyKey) => $"{author}\n{idempotencyKey}";

    public BoardState Apply(BoardEvent @event) => Fold(@event) with
    {
        Parts = Versions.Folded(@event switch
        {
            QuestionAsked asked => [asked.Question.Id],
            QuestionModerated { Action: ModerationAction.Pin or ModerationAction.Unpin } m when PinnedId is { } pinned => [m.QuestionId, pinned],
            QuestionModerated m => [m.QuestionId],
            QuestionEdited edited => [edited.QuestionId],
            QuestionWithdrawn withdrawn => [withdrawn.QuestionId],
            QuestionVoted voted => [voted.QuestionId],
            QuestionCorrected corrected => [corrected.QuestionId],
            _ => [],
        }),
    };

    private BoardState Fold(BoardEvent @event) => @event switch
    {
        QuestionAsked asked => this with
        {
            Questions = Questions.Add(asked.Question),
            ByIdempotencyKey = ByIdempotencyKey.SetItem(KeyOf(asked.Question.AuthorEmail, asked.IdempotencyKey), asked.Question.Id),
        },
        QuestionEdited edited => Update(edited.QuestionId, q => q with { Text = edited.Text }),
        QuestionWithdrawn withdrawn => Update(withdrawn.QuestionId, q => q with { Status = QuestionStatus.Withdrawn }) with { PinnedId = PinnedId == withdrawn.QuestionId ? null : PinnedId },
        QuestionVoted voted => Update(voted.QuestionId, q => q with { Voters = voted.Up ? q.Voters.Add(voted.Voter) : q.Voters.Remove(voted.Voter) }),
        QuestionCorrected corrected => Update(corrected.QuestionId, q => q with { Text = corrected.After }),
        BoardModeSet mode => this with { PreModerated = mode.PreModerated },
        QuestionModerated { Action: ModerationAction.Approve } m => Update(m.QuestionId, q => q with { Status = QuestionStatus.Visible }),
        QuestionModerated { Action: ModerationAction.Dismiss } m => Update(m.QuestionId, q => q with { Status = QuestionStatus.Dismissed }) with { PinnedId = PinnedId == m.QuestionId ? null : PinnedId },
        QuestionModerated { Action: ModerationAction.Answer } m => Update(m.QuestionId, q => q with { Status = QuestionStatus.Answered, AnsweredAt = m.At }) with { PinnedId = PinnedId == m.QuestionId ? null : PinnedId },
        QuestionModerated { Action: ModerationAction.Pin } m => Update(m.QuestionId, q => q.Status == QuestionStatus.Pending ? q with { Status = QuestionStatus.Visible } : q) with { PinnedId = m.QuestionId },
        QuestionModerated { Action: ModerationAction.Unpin } => this with { PinnedId = null },
        _ => this,
    };

    private BoardState Update(string id, Func<Question, Question> change) =>
        IndexOf(id) is >= 0 and var index ? this with { Questions = Questions.SetItem(index, change(Questions[index])) } : this;
}

[GrainType(TypeName)]
public sealed class QuestionBoardGrain(TimeProvider clock) : JournalGrain<BoardState, BoardEvent>, IQuestionBoardGrain
{
    // Part of the database format (journal rows name it) and of the live topic that follows this grain.
    public const string TypeName = "questions";

    public const int MaxLength = 500;
    public const int PerPersonPerMinute = 5;
    public const int PerBoardPerMinute = 120;

    public Task<BoardView> GetAsync(string? viewer, bool moderator) => Task.FromResult(View(viewer, moderator));

    public async Task<QuestionView> AskAsync(Asker asker, string text, bool anonymous, string idempotencyKey)
    {
        var key = (idempotencyKey ?? "").Trim();
        if (key.Length is 0 or > 64)
        {
            throw new ValidationFailedException(Problem.IdempotencyKeyInvalid);
        }

        // A resend answers with the question as it is now, whatever became of it (withdrawn included).
        if (State.ByIdempotencyKey.TryGetValue(BoardState.KeyOf(asker.Email, key), out var existing))
        {
            return ViewOf(State.Find(existing)!, asker.Email, moderator: false);
        }

        var clean = Text(text);
        if (await GrainFactory.GetGrain<IQuestionBansGrain>(EventSlug).IsBannedAsync(asker.Email))
        {
            throw new ValidationFailedException(Problem.AskerBanned);
        }

        var now = clock.GetUtcNow();
        var lastMinute = State.Questions.Where(q => q.AskedAt > now.AddMinutes(-1)).ToList();
        if (lastMinute.Count(q => q.AuthorEmail == asker.Email) >= PerPersonPerMinute)
        {
            throw new ValidationFailedException(Problem.TooManyQuestions, PerPersonPerMinute);
        }

        if (lastMinute.Count >= PerBoardPerMinute)
        {
            throw new ValidationFailedException(Problem.BoardBusy);
        }

        var question = new Question($"q{Version + 1}", asker.Email, asker.Name, anonymous, clean, now,
            State.PreModerated ? QuestionStatus.Pending : QuestionStatus.Visible, [], null);
        RaiseEvent(new QuestionAsked(question, key));
        return ViewOf(question, asker.Email, moderator: false);
    }

    public Task EditAsync(string author, string questionId, string text)
    {
        var question = Own(author, questionId);
        RaiseEvent(new QuestionEdited(question.Id, Text(text)));
        return Task.CompletedTask;
    }

    public Task WithdrawAsync(string author, string questionId)
    {
        RaiseEvent(new QuestionWithdrawn(Own(author, questionId).Id));
        return Task.CompletedTask;
    }

    public Task<int> VoteAsync(string voter, string questionId, bool up)
    {
        var question = State.Find(questionId) is { Status: QuestionStatus.Visible or QuestionStatus.Answered } found
            ? found
            : throw new ValidationFailedException(Problem.QuestionMissing);
        if (question.Voters.Contains(voter) != up)
        {
            RaiseEvent(new QuestionVoted(question.Id, voter, up, question.Voters.Count + (up ? 1 : -1)));
        }

        return Task.FromResult(State.Find(questionId)!.Voters.Count);
    }

    public Task ModerateAsync(string actor, string questionId, ModerationAction action)
    {
        if (State.Find(questionId) is not { Status: not QuestionStatus.Withdrawn })
        {
            throw new ValidationFailedException(Problem.QuestionMissing);
        }

        RaiseEvent(new QuestionModerated(actor, questionId, action, clock.GetUtcNow()));
        return Task.CompletedTask;
    }

    public Task CorrectAsync(string actor, string questionId, string text)
    {
        var question = State.Find(questionId) ?? throw new ValidationFailedException(Problem.QuestionMissing);
        var clean = Text(text);
        if (clean != question.Text)
        {
            RaiseEvent(new QuestionCorrected(actor, question.Id, question.Text, clean));
        }

        return Task.CompletedTask;
    }

    public Task SetPreModeratedAsync(string actor, bool preModerated)
    {
        if (preModerated != State.PreModerated)
        {
            RaiseEvent(new BoardModeSet(actor, preModerated));
        }

        return Task.CompletedTask;
    }

    public Task<BoardExport> ExportAsync() => Task.FromResult(new BoardExport([.. State.Questions]));

    private string EventSlug => SessionKey.Parse(Key).Slug;

    private Question Own(string author, string questionId) =>
        State.Find(questionId) is { } question && question.AuthorEmail == author && question.Status is QuestionStatus.Pending or QuestionStatus.Visible
            ? question
            : throw new ValidationFailedException(Problem.QuestionNotYours);

    private static string Text(string? text)
    {
        var trimmed = (text ?? "").Trim();
        if (trimmed.Length == 0)
        {
            throw new ValidationFailedException(Problem.QuestionEmpty);
        }

        return trimmed.Length <= MaxLength ? trimmed : throw new ValidationFailedException(Problem.QuestionTooLong, MaxLength, trimmed.Length);
    }

    // Others never see pending questions or anyone's dismissed ones; authors always see their own;
    // anonymous authors are named only to moderators.
    private BoardView View(string? viewer, bool moderator) => new(
        Version,
        State.PreModerated,
        [.. State.Questions
            .Where(q => q.Status != QuestionStatus.Withdrawn)
            .Where(q => moderator || q.AuthorEmail == viewer || q.Status is QuestionStatus.Visible or QuestionStatus.Answered)
            .Select(q => ViewOf(q, viewer, moderator))]);

    private QuestionView ViewOf(Question q, string? viewer, bool moderator) => new(
        q.Id,
        q.Text,
        moderator ? $"{q.AuthorName} <{q.AuthorEmail}>" : q.Anonymous ? null : q.AuthorName,
        q.Anonymous,
        q.Status,
        q.Voters.Count,
        viewer is not null && q.Voters.Contains(viewer),
        q.AuthorEmail == viewer,
        q.Id == State.PinnedId,
        q.AskedAt,
        q.AnsweredAt,
        State.Versions.Of(q.Id));
}
