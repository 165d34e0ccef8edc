using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Audit;
using Events.Grains.Journal;

namespace Events.Grains.Polls;

// The polls of one session, keyed "{event slug}/{session id}", beside its Q&A board. At most one
// poll is live at a time: launching one closes the one that was live.
public interface IPollsGrain : IGrainWithStringKey
{
    Task<PollsView> GetAsync(string? viewer, bool moderator);

    Task<Poll> PrepareAsync(string actor, PollDraft draft);

    Task ControlAsync(string actor, string pollId, PollControl control);

    // One answer per person: answering again replaces it while the poll is live. A resend of any
    // key this person used before changes nothing, so a queued answer replayed after a newer one
    // cannot undo it.
    Task<PollAnswer> AnswerAsync(Respondent respondent, string pollId, PollAnswer answer, string idempotencyKey);

    Task ModerateTextAsync(string actor, string pollId, string answerId, bool approve);

    Task<PollExport> ExportAsync();
}

// The stored names below are part of the database format: add new ones, never rename.
[JsonPolymorphic]
[JsonDerivedType(typeof(PollPrepared), "poll-prepared")]
[JsonDerivedType(typeof(PollControlled), "poll-controlled")]
[JsonDerivedType(typeof(PollAnswered), "poll-answered")]
[JsonDerivedType(typeof(PollTextModerated), "poll-text-moderated")]
[GenerateSerializer, Immutable]
public abstract record PollEvent;

[GenerateSerializer, Immutable]
public sealed record PollPrepared(string Actor, Poll Poll) : PollEvent, IAuditedEvent
{
    public AuditAction Audit() => AuditAction.Of("poll-prepared", Poll.Id, Poll.Kind, Poll.Question);
}

[GenerateSerializer, Immutable]
public sealed record PollControlled(string Actor, string PollId, PollControl Control, DateTimeOffset At) : PollEvent, IAuditedEvent
{
    public AuditAction Audit() => AuditAction.Of("poll-control", PollId, Control);
}

// Respondents and Counts are the poll's after this answer, and ResultsShown whether the audience may
// see them, so pushes need not fold the polls (as QuestionVoted carries its count). Counts: choice and
// ranking polls only.
[GenerateSerializer, Immutable]
public sealed record PollAnswered(string PollId, PollResponse Response, string IdempotencyKey, int Respondents, ImmutableArray<int> Counts, bool ResultsShown) : PollEvent;

[GenerateSerializer, Immutable]
public sealed record PollTextModerated(string Actor, string PollId, string AnswerId, bool Approved) : PollEvent, IAuditedEvent
{
    public AuditAction Audit() => AuditAction.Of(Approved ? "poll-answer-approved" : "poll-answer-dismissed", AnswerId, PollId);
}

[GenerateSerializer, Immutable]
public sealed record PollRecord(
    Poll Poll,
    ImmutableDictionary<string, PollResponse> ByVoter,
    ImmutableDictionary<string, ImmutableHashSet<string>> KeysByVoter);

[GenerateSerializer, Immutable]
public sealed record PollsState(ImmutableList<PollRecord> Polls) : IJournaledState<PollsState, PollEvent>
{
    public static PollsState Initial { get; } = new(ImmutableList<PollRecord>.Empty);

    public PollRecord? Find(string id) => Polls.FirstOrDefault(p => p.Poll.Id == id);

    public PollsState Apply(PollEvent @event) => @event switch
    {
        PollPrepared prepared => this with
        {
            Polls = Polls.Add(new PollRecord(prepared.Poll, ImmutableDictionary<string, PollResponse>.Empty, ImmutableDictionary<string, ImmutableHashSet<string>>.Empty)),
        },
        PollControlled { Control: PollControl.Launch } launched => this with
        {
            Polls = [.. Polls.Select(p =>
                p.Poll.Id == launched.PollId ? p with { Poll = p.Poll with { Status = PollStatus.Live } }
                : p.Poll.Status == PollStatus.Live ? p with { Poll = p.Poll with { Status = PollStatus.Closed } }
                : p)],
        },
        PollControlled controlled => Update(controlled.PollId, p => controlled.Control switch
        {
            PollControl.Close => p with { Poll = p.Poll with { Status = PollStatus.Closed } },
            PollControl.Reopen => p with { Poll = p.Poll with { Status = PollStatus.Live } },
            PollControl.ShowResults => p with { Poll = p.Poll with { ResultsShown = true } },
            PollControl.HideResults => p with { Poll = p.Poll with { ResultsShown = false } },
            PollControl.Reset => p with { ByVoter = ImmutableDictionary<string, PollResponse>.Empty },
            _ => p,
        }),
        PollAnswered answered => Update(answered.PollId, p => p with
        {
            ByVoter = p.ByVoter.SetItem(answered.Response.Voter, answered.Response),
            KeysByVoter = p.KeysByVoter.SetItem(
                answered.Response.Voter,
                (p.KeysByVoter.GetValueOrDefault(answered.Response.Voter) ?? []).Add(answered.IdempotencyKey)),
        }),
        PollTextModerated moderated => Update(moderated.PollId, p =>
            p.ByVoter.Values.FirstOrDefault(r => r.Id == moderated.AnswerId) is { } response
                ? p with { ByVoter = p.ByVoter.SetItem(response.Voter, response with { TextStatus = moderated.Approved ? TextStatus.Approved : TextStatus.Dismissed }) }
                : p),
        _ => this,
    };

    private PollsState Update(string id, Func<PollRecord, PollRecord> change) =>
        this with { Polls = [.. Polls.Select(p => p.Poll.Id == id ? change(p) : p)] };
}

[GrainType(TypeName)]
public sealed class PollsGrain(TimeProvider clock) : JournalGrain<PollsState, PollEvent>, IPollsGrain
{
    // Part of the database format (journal rows name it) and of the live topic that follows this grain.
    public const string TypeName = "polls";

    public const int MaxQuestionLength = 300;
    public const int MaxOptionLength = 100;
    public const int MaxWordLength = 40;
    public const int MaxWords = 3;
    public const int MaxTextLength = 500;
    public const int MaxPolls = 50;

    public Task<PollsView> GetAsync(string? viewer, bool moderator) =>
        Task.FromResult(new PollsView(Version, [.. State.Polls.Select(p => View(p, viewer, moderator))]));

    public Task<Poll> PrepareAsync(string actor, PollDraft draft)
    {
        if (State.Polls.Count >= MaxPolls)
        {
            throw new ValidationFailedException(Problem.PollLimit, MaxPolls);
        }

        var question = Input.Required(Clean(draft.Question), MaxQuestionLength, Problem.PollQuestionMissing, Problem.PollQuestionTooLong);
        var options = (draft.Options.IsDefault ? [] : draft.Options).Select(Clean).Where(o => o.Length > 0).ToImmutableArray();
        var (min, max) = draft.Kind switch
        {
            PollKind.SingleChoice or PollKind.MultipleChoice => (2, 10),
            PollKind.Ranking => (2, 6),
            _ => (0, 0),
        };
        if (options.Length < min || options.Length > max)
        {
            throw new ValidationFailedException(Problem.PollOptions, min, max);
        }

        if (options.FirstOrDefault(o => o.Length > MaxOptionLength) is { } tooLong)
        {
            throw new ValidationFailedException(Problem.PollOptionTooLong, MaxOptionLength, tooLong.Length);
        }

        if (options.Distinct(StringComparer.OrdinalIgnoreCase).Count() != options.Length)
        {
            throw new ValidationFailedException(Problem.PollOptionsRepeated);
        }

        var poll = new Poll($"p{Version + 1}", draft.Kind, question, options, draft.Anonymous, PollStatus.Draft, false);
        RaiseEvent(new PollPrepared(actor, poll));
        return Task.FromResult(poll);
    }

    public Task ControlAsync(string actor, string pollId, PollControl control)
    {
        var poll = State.Find(pollId)?.Poll ?? throw new ValidationFailedException(Problem.PollMissing);
        var allowed = control switch
        {
            PollControl.Launch => poll.Status == PollStatus.Draft,
            PollControl.Close => poll.Status == PollStatus.Live,
            PollControl.Reopen => poll.Status == PollStatus.Closed,
            PollControl.ShowResults => !poll.ResultsShown,
            PollControl.HideResults => poll.ResultsShown,
            PollControl.Reset => true,
            _ => false,
        };
        if (!allowed)
        {
            throw new ValidationFailedException(Problem.PollControlNotNow);
        }

        // Reopening makes this poll the live one: close the other first, in the same write.
        if (control == PollControl.Reopen && State.Polls.FirstOrDefault(p => p.Poll.Status == PollStatus.Live) is { } other)
        {
            RaiseEvent(new PollControlled(actor, other.Poll.Id, PollControl.Close, clock.GetUtcNow()));
        }

        RaiseEvent(new PollControlled(actor, pollId, control, clock.GetUtcNow()));
        return Task.CompletedTask;
    }

    public Task<PollAnswer> AnswerAsync(Respondent respondent, string pollId, PollAnswer answer, string idempotencyKey)
    {
        var key = (idempotencyKey ?? "").Trim();
        if (key.Length is 0 or > 64)
        {
            throw new ValidationFailedException(Problem.IdempotencyKeyInvalid);
        }

        var record = State.Find(pollId) ?? throw new ValidationFailedException(Problem.PollMissing);
        if (record.KeysByVoter.GetValueOrDefault(respondent.Email)?.Contains(key) == true)
        {
            return Task.FromResult(record.ByVoter.GetValueOrDefault(respondent.Email)?.Answer ?? PollAnswer.Empty);
        }

        if (record.Poll.Status != PollStatus.Live)
        {
            throw new ValidationFailedException(record.Poll.Status == PollStatus.Closed ? Problem.PollClosed : Problem.PollNotOpen, record.Poll.Question);
        }

        var valid = Validated(record.Poll, answer);
        var previous = record.ByVoter.GetValueOrDefault(respondent.Email);
        if (previous is not null && Same(previous.Answer, valid))
        {
            return Task.FromResult(previous.Answer);
        }

        // A changed text goes back to moderation; the id stays, so links and counts stay put.
        var response = new PollResponse(previous?.Id ?? $"a{Version + 1}", respondent.Email, respondent.Name, valid, clock.GetUtcNow(), TextStatus.Pending);
        var after = record.ByVoter.SetItem(respondent.Email, response);
        ImmutableArray<int> counts = record.Poll.Kind is PollKind.SingleChoice or PollKind.MultipleChoice or PollKind.Ranking
            ? PollTally.Results(record.Poll, after.Values.ToList(), moderator: false).Counts
            : [];
        RaiseEvent(new PollAnswered(pollId, response, key, after.Count, counts, record.Poll.ResultsShown));
        return Task.FromResult(valid);
    }

    public Task ModerateTextAsync(string actor, string pollId, string answerId, bool approve)
    {
        var record = State.Find(pollId) ?? throw new ValidationFailedException(Problem.PollMissing);
        if (!record.ByVoter.Values.Any(r => r.Id == answerId))
        {
            throw new ValidationFailedException(Problem.PollMissing);
        }

        RaiseEvent(new PollTextModerated(actor, pollId, answerId, approve));
        return Task.CompletedTask;
    }

    public Task<PollExport> ExportAsync() => Task.FromResult(new PollExport(
        [.. State.Polls.Select(p => p.Poll)],
        [.. State.Polls.SelectMany(p => p.ByVoter.Values.OrderBy(r => r.At).Select(r => new ExportedResponse(p.Poll.Id, r)))]));

    private static PollView View(PollRecord record, string? viewer, bool moderator)
    {
        var poll = record.Poll;
        var mine = viewer is null ? null : record.ByVoter.GetValueOrDefault(viewer)?.Answer;
        var results = moderator || poll.ResultsShown ? PollTally.Results(poll, record.ByVoter.Values.ToList(), moderator) : null;
        ImmutableArray<NamedAnswer> named = moderator && !poll.Anonymous
            ? [.. record.ByVoter.Values.OrderBy(r => r.VoterName, StringComparer.CurrentCulture).Select(r => new NamedAnswer(r.VoterName, Describe(poll, r.Answer)))]
            : [];
        return new PollView(poll, mine, results, named, record.ByVoter.Count);
    }

    // What a moderator reads beside a name: the options chosen, the rating, the words or the text.
    public static string Describe(Poll poll, PollAnswer answer) => poll.Kind switch
    {
        PollKind.SingleChoice or PollKind.MultipleChoice or PollKind.Ranking => string.Join(poll.Kind == PollKind.Ranking ? " > " : ", ", answer.Choices.Select(i => poll.Options[i])),
        PollKind.Stars or PollKind.Scale => answer.Rating?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
        PollKind.WordCloud => string.Join(", ", answer.Words),
        _ => answer.Text ?? "",
    };

    private static PollAnswer Validated(Poll poll, PollAnswer answer)
    {
        var choices = answer.Choices.IsDefault ? [] : answer.Choices;
        var words = answer.Words.IsDefault ? [] : answer.Words;
        var optionCount = poll.Options.Length;
        switch (poll.Kind)
        {
            case PollKind.SingleChoice when choices.Length == 1 && choices[0] >= 0 && choices[0] < optionCount:
                return PollAnswer.Empty with { Choices = choices };
            case PollKind.MultipleChoice when choices.Length >= 1 && choices.All(c => c >= 0 && c < optionCount):
                return PollAnswer.Empty with { Choices = [.. choices.Distinct().Order()] };
            case PollKind.Ranking when choices.Length == optionCount && choices.Order().SequenceEqual(Enumerable.Range(0, optionCount)):
                return PollAnswer.Empty with { Choices = choices };
            case PollKind.Stars when answer.Rating is >= 1 and <= PollTally.StarsMax:
            case PollKind.Scale when answer.Rating is >= 0 and <= PollTally.ScaleMax:
                return PollAnswer.Empty with { Rating = answer.Rating };
            case PollKind.WordCloud:
                var cleaned = words.Select(Clean).Where(w => w.Length > 0).ToImmutableArray();
                if (cleaned.Length is 0 or > MaxWords)
                {
                    throw new ValidationFailedException(Problem.PollWords, MaxWords);
                }

                if (cleaned.FirstOrDefault(w => w.Length > MaxWordLength) is { } longWord)
                {
                    throw new ValidationFailedException(Problem.PollWordTooLong, MaxWordLength, longWord.Length);
                }

                return PollAnswer.Empty with { Words = cleaned };
            case PollKind.OpenText:
                return PollAnswer.Empty with { Text = Input.Required(Clean(answer.Text), MaxTextLength, Problem.PollAnswerMissing, Problem.QuestionTooLong) };
        }

        throw new ValidationFailedException(poll.Kind == PollKind.Ranking ? Problem.PollRankEvery : Problem.PollAnswerMissing);
    }

    private static bool Same(PollAnswer a, PollAnswer b) =>
        a.Choices.SequenceEqual(b.Choices) && a.Rating == b.Rating && a.Words.SequenceEqual(b.Words) && a.Text == b.Text;

    // Control characters (NUL included) are dropped: they only ever arrive by accident or malice.
    private static string Clean(string? text) =>
        new string((text ?? "").Where(c => !char.IsControl(c) || c is '\n').ToArray()).Trim();
}
