namespace Events.Grains;

// Why a command was refused, as a code: the web layer words it in the person's language
// (Localization/strings.*.json, key "problem.<Problem>"), filling in the arguments.
[GenerateSerializer]
public enum Problem
{
    EmailMissing,
    EmailInvalid,
    EventAddressTaken,
    EventExists,
    EventMissing,
    TimeZoneUnknown,
    TitleRequired,
    TitleTooLong,
    DescriptionTooLong,
    SessionEndsBeforeStart,
    SessionMissing,
    SessionClosed,
    SessionAlreadyStarted,
    DelayMinutes,
    NewStartMissing,
    LinkInvalid,
    SessionTimesInvalid,
    QuestionEmpty,
    QuestionTooLong,
    QuestionMissing,
    QuestionNotYours,
    TooManyQuestions,
    BoardBusy,
    AskerBanned,
    ReasonRequired,
    ReasonTooLong,
    InterventionMissing,
    InterventionMinutes,
    SlotFull,
    LineUpEmpty,
    MixerControlNotNow,
    AccountMissing,
    DisplayNameRequired,
    DisplayNameTooLong,
    OrganisationTooLong,
    CountryTooLong,
    LanguageChoice,
    RoleChoice,
    RoleNotHeld,
    TeamTooLong,
    InvitationUses,
    InvitationLifetime,
    InvitationUnknown,
    IdempotencyKeyInvalid,
    AnnouncementEmpty,
    AnnouncementTooLong,
    AnnouncementLifetime,
    TeamRequired,
    TeamUnknown,
    ContactRequired,
    ContactTooLong,
    SectionTooLong,
    RubricLocked,
    RubricSize,
    CriterionNameRequired,
    CriterionWeight,
    PitchMissing,
    PitchExists,
    RoomFull,
    PitchControlNotNow,
    PitchMinutes,
    ScoringNotOpen,
    ScoringClosed,
    ScoreMissing,
    InterestChoice,
    CommentTooLong,
    FollowUpMissing,
    FollowUpStatusNotAllowed,
    IdempotencyKeyReused,
}

// A grain refused a command because of what was asked, not because of a fault.
[GenerateSerializer]
public sealed class ValidationFailedException(Problem problem, params object[] arguments)
    : Exception($"{problem} ({string.Join(", ", arguments)})")
{
    [Id(0)]
    public Problem Problem { get; } = problem;

    [Id(1)]
    public IReadOnlyList<object> Arguments { get; } = arguments;
}
