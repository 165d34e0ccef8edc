using Events.Grains.Mail;
using System.Collections.Immutable;
using Events.Grains.Journal;

namespace Events.Grains.Pitches;

// One pitch room, keyed "{event slug}/{session id}": the teams pitching in it, each pitch's phases
// (waiting, pitching on a server-timed clock, questions, scoring, closed), investors' scorecards
// and the release of feedback. Scorecards leave this grain only through the methods that say so;
// GetAsync, which pages and live deltas use, carries none.
public interface IPitchRoomGrain : IGrainWithStringKey
{
    Task<PitchRoomView> GetAsync();

    Task<PitchRoomView> AddPitchAsync(string actor, string team);

    Task<PitchRoomView> ControlAsync(string actor, string team, PitchControl control, int minutes);

    Task<Scorecard> SaveScorecardAsync(string investor, string team, ScorecardInput input, string? idempotencyKey);

    Task<Scorecard?> GetScorecardAsync(string team, string investor);

    // Every investor's scorecard for one pitch: for moderators, organisers and their export only.
    Task<IReadOnlyList<Scorecard>> ListScorecardsAsync(string team);

    Task<PitchFeedback> GetFeedbackAsync(string team);
}

[GrainType(TypeName)]
public sealed class PitchRoomGrain(TimeProvider clock) : JournalGrain<PitchRoomState, PitchRoomEvent>, IPitchRoomGrain
{
    // Part of the database format (journal rows name it) and of the live topic that follows this grain.
    public const string TypeName = "pitch-room";

    public const int DefaultMinutes = 10;
    public const int MaxMinutes = 30;
    public const int MaxCommentLength = 2_000;
    public const int MaxPitches = 20;

    private string EventSlug => SessionKey.Parse(Key).Slug;

    private static readonly Follower FollowUps = new((grains, source) => grains.GetGrain<IFollowUpsGrain>(EventKeys.SlugOf(source.Key)), e => e is ScorecardSaved);

    protected override IReadOnlyList<Follower> Followers => [.. base.Followers, MailOutbox.Follower, FollowUps];

    public Task<PitchRoomView> GetAsync() => Task.FromResult(View());

    public async Task<PitchRoomView> AddPitchAsync(string actor, string team)
    {
        var card = await GrainFactory.GetGrain<IPitchCardsGrain>(EventSlug).GetAsync(team)
            ?? throw new ValidationFailedException(Problem.TeamUnknown, team);
        if (State.Find(team) is not null)
        {
            throw new ValidationFailedException(Problem.PitchExists, card.Current.Content.TeamName);
        }

        if (State.Pitches.Count >= MaxPitches)
        {
            throw new ValidationFailedException(Problem.RoomFull, MaxPitches);
        }

        RaiseEvent(new PitchAdded(actor, team, card.Current.Content.TeamName));
        return View();
    }

    public async Task<PitchRoomView> ControlAsync(string actor, string team, PitchControl control, int minutes)
    {
        var pitch = Pitch(team);
        var onStage = State.Pitches.FirstOrDefault(p => p.Team != team && p.Phase is PitchPhase.Pitching or PitchPhase.Questions);
        var allowed = control switch
        {
            PitchControl.StartPitch => pitch.Phase == PitchPhase.Waiting && onStage is null,
            PitchControl.StartQuestions => pitch.Phase == PitchPhase.Pitching,
            PitchControl.OpenScoring => pitch.Phase is PitchPhase.Pitching or PitchPhase.Questions,
            PitchControl.CloseScoring => pitch.Phase == PitchPhase.ScoringOpen,
            PitchControl.ReleaseFeedback => pitch.Phase == PitchPhase.Closed && !pitch.Released,
            _ => false,
        };
        if (!allowed)
        {
            throw new ValidationFailedException(Problem.PitchControlNotNow, control, pitch.Phase);
        }

        if (control == PitchControl.StartPitch && minutes is < 1 or > MaxMinutes)
        {
            throw new ValidationFailedException(Problem.PitchMinutes, MaxMinutes);
        }

        // The first opening of scoring anywhere in the event locks the rubric; each pitch keeps the
        // criteria it was scored against.
        var rubric = control == PitchControl.OpenScoring
            ? (await GrainFactory.GetGrain<IRubricGrain>(EventSlug).LockAsync(actor)).Criteria
            : null;
        RaiseEvent(new PitchControlled(actor, team, control, clock.GetUtcNow(), control == PitchControl.StartPitch ? minutes : pitch.Minutes, rubric));
        return View();
    }

    public async Task<Scorecard> SaveScorecardAsync(string investor, string team, ScorecardInput input, string? idempotencyKey)
    {
        var pitch = Pitch(team);
        if (idempotencyKey is { Length: > 64 })
        {
            throw new ValidationFailedException(Problem.IdempotencyKeyInvalid);
        }

        // A resend of any remembered key answers what that save answered and changes nothing; other
        // content under a used key is refused rather than dropped unseen.
        if (idempotencyKey is not null && State.SavedUnder(team, investor, idempotencyKey) is { } earlier)
        {
            return SameContent(earlier, input) ? earlier : throw new ValidationFailedException(Problem.IdempotencyKeyReused);
        }

        if (pitch.Phase != PitchPhase.ScoringOpen)
        {
            throw new ValidationFailedException(pitch.Phase == PitchPhase.Closed ? Problem.ScoringClosed : Problem.ScoringNotOpen, pitch.TeamName);
        }

        if (!Enum.IsDefined(input.Interest))
        {
            throw new ValidationFailedException(Problem.InterestChoice);
        }

        var scores = ImmutableDictionary<string, int>.Empty;
        if (!input.Conflict)
        {
            foreach (var criterion in pitch.Rubric)
            {
                if (!input.Scores.TryGetValue(criterion.Id, out var score) || score is < Scoring.Min or > Scoring.Max)
                {
                    throw new ValidationFailedException(Problem.ScoreMissing, criterion.Name, Scoring.Min, Scoring.Max);
                }

                scores = scores.Add(criterion.Id, score);
            }
        }

        var scorecard = new Scorecard(
            investor,
            scores,
            Input.Optional(input.Comment, MaxCommentLength, Problem.CommentTooLong),
            Input.Optional(input.PrivateNote, MaxCommentLength, Problem.CommentTooLong),
            input.Interest,
            input.Conflict,
            clock.GetUtcNow());

        // The follow-up request it makes or takes back follows from the committed event (see FollowUpsGrain).
        RaiseEvent(new ScorecardSaved(team, scorecard, idempotencyKey, pitch.TeamName));
        return scorecard;
    }

    public Task<Scorecard?> GetScorecardAsync(string team, string investor) =>
        Task.FromResult(State.ScorecardsOf(team).GetValueOrDefault(investor));

    public Task<IReadOnlyList<Scorecard>> ListScorecardsAsync(string team) =>
        Task.FromResult<IReadOnlyList<Scorecard>>([.. State.ScorecardsOf(team).Values.OrderBy(s => s.Investor, StringComparer.Ordinal)]);

    public Task<PitchFeedback> GetFeedbackAsync(string team)
    {
        var pitch = Pitch(team);
        return Task.FromResult(new PitchFeedback(pitch, Scoring.Summarise(pitch.Rubric, State.ScorecardsOf(team).Values)));
    }

    private static bool SameContent(Scorecard saved, ScorecardInput input) =>
        saved.Conflict == input.Conflict
        && saved.Interest == input.Interest
        && saved.Comment == (input.Comment ?? "").Trim()
        && saved.PrivateNote == (input.PrivateNote ?? "").Trim()
        && saved.Scores.All(s => input.Scores.GetValueOrDefault(s.Key) == s.Value);

    private Pitch Pitch(string team) => State.Find(team) ?? throw new ValidationFailedException(Problem.PitchMissing, team);

    private PitchRoomView View() => new(Key, Version, [.. State.Pitches]);
}
