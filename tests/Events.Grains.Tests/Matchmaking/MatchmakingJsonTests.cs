using System.Text.Json;
using Events.Grains.Journal;
using Events.Grains.Matchmaking;

namespace Events.Grains.Tests.Matchmaking;

// Matchmaking events are stored as JSON in the journal: each must read back as it was written, or a
// grain reloaded after idling would lose profiles and meetings.
public sealed class MatchmakingJsonTests
{
    private static readonly DateTimeOffset At = new(2027, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static readonly MatchProfile Profile = new("0123456789abcdef0123", "amina@example.org",
        new ProfileDraft("Amina", "Kisumu county", OrgType.City, "Kisumu", "Kenya", ["en", "sw"], "*Hi*", ["Mobility"],
            [new NeedOffer("Mobility", "Mobility data", "Counts")], [new NeedOffer("Mobility", "Parking data platform", "")]),
        Listed: true, Hidden: false, Verified: true, At);

    public static TheoryData<object> Events() =>
    [
        new ProfileSaved(Profile),
        new ProfileModerated("organiser@example.org", ProfileModeration.Hide, Profile with { Hidden = true }),
        new DirectoryProfileTaken(Profile, "match-profile/e/amina@example.org", 3),
        new MatchSettingsChanged("organiser@example.org", MatchSettings.Default with { Themes = ["Mobility"], Windows = [new MeetingWindow(At, At.AddHours(2))] }),
        new MeetingRequested(new MeetingRequest("r1", "a@example.org", "b@example.org", "Hello", [At, At.AddMinutes(20)], At, At.AddHours(48), RequestStatus.Pending, null, null)),
        new MeetingRequestAnswered("r1", RequestStatus.Declined, "Not my field"),
        new MeetingBooked(new Meeting("m2", "r1", "a@example.org", "b@example.org", At, 20, MeetingPlaceKind.Tables, "3", false, null)),
        new MeetingCancelled("m2", "a@example.org", "Flight moved"),
        new MeetingPrefsSet("a@example.org", new MeetingPrefs(true, [At], [OrgType.Investor], "+254 700 123 456")),
        new MeetingArranged("organiser@example.org",
            new MeetingRequest("r3", "a@example.org", "b@example.org", "", [At], At, At, RequestStatus.Accepted, null, "m3", Counters: "r1", Replaces: "m2", BookedBy: "organiser@example.org"),
            new Meeting("m3", "r3", "a@example.org", "b@example.org", At, 20, MeetingPlaceKind.Virtual, "https://meet.example.org/x", false, null)),
        new MeetingFeedbackGiven("m3", "a@example.org", MeetingFeedback.CooperationPossible),
        new LaterOutcomeAsked("organiser@example.org", At),
        new LaterOutcomeGiven("m3", "a@example.org", LaterOutcome.PilotStarted),
        new RequestsMailed("a@example.org", At),
        new InboxNoted(),
        new LastProfileRemembered(Profile.Draft),
    ];

    [Theory]
    [MemberData(nameof(Events))]
    public void Every_matchmaking_event_reads_back_as_it_was_stored(object stored)
    {
        var baseType = stored.GetType().BaseType!;

        var json = JsonSerializer.Serialize(stored, baseType, GrainJson.Options);
        var read = JsonSerializer.Deserialize(json, baseType, GrainJson.Options)!;

        // Records compare arrays by reference: compare their JSON instead, and the type exactly.
        Assert.Equal(stored.GetType(), read.GetType());
        Assert.Equal(json, JsonSerializer.Serialize(read, baseType, GrainJson.Options));
        Assert.Contains("\"$type\"", json, StringComparison.Ordinal);
    }
}
