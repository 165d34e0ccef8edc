using System.Collections.Immutable;
using Events.Grains.Matchmaking;

namespace Events.Grains.Tests.Matchmaking;

public sealed class MeetingsGrainTests
{
    private static readonly DateTimeOffset Now = new(2027, 3, 1, 7, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Nine = new(2027, 3, 2, 9, 0, 0, TimeSpan.Zero);

    // One window of six 20-minute slots, 09:00–11:00 UTC on the day after "now".
    private static MatchSettings Settings(MeetingPlaceKind place = MeetingPlaceKind.Virtual, int tables = 0) =>
        MatchSettings.Default with
        {
            Themes = ["Mobility"],
            Windows = [new MeetingWindow(Nine, Nine.AddHours(2))],
            Place = place,
            Tables = tables,
            RoomTemplate = place == MeetingPlaceKind.Virtual ? "https://meet.example.org/{room}" : null,
        };

    private static async Task<(GrainCluster Cluster, ManualClock Clock, string Slug)> StartAsync(TestDatabase db, MatchSettings settings, int silos = 1)
    {
        var clock = new ManualClock(Now);
        var cluster = await db.StartClusterAsync(new ClusterSetup { Silos = silos, Clock = clock });
        var slug = $"event-{Guid.NewGuid():N}";
        await cluster.GetGrain<IMatchmakingGrain>(slug).SetSettingsAsync("organiser@example.org", settings);
        return (cluster, clock, slug);
    }

    private static string Person(int i) => $"person{i}@example.org";

    [Fact]
    public async Task Fifty_accepts_at_once_through_two_silos_for_one_slot_book_exactly_one_meeting_and_tell_the_others_the_slot_was_taken_with_what_is_left()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (cluster, _, slug) = await StartAsync(db, Settings(), silos: 2);
        const string Kisumu = "kisumu@example.org";
        var requests = new List<MeetingRequest>();
        for (var i = 0; i < 50; i++)
        {
            requests.Add(await cluster.GetGrain<IMatchmakingGrain>(slug).RequestAsync(Person(i), Kisumu, $"Hello from {i}", [Nine]));
        }

        var outcomes = await Task.WhenAll(requests.Select(async (r, i) =>
        {
            try
            {
                return (Meeting: await cluster.Silo(i % 2).GetGrain<IMatchmakingGrain>(slug).AcceptAsync(Kisumu, r.Id, Nine), Refusal: (ValidationFailedException?)null);
            }
            catch (ValidationFailedException ex)
            {
                return (Meeting: (Meeting?)null, Refusal: ex);
            }
        }));

        var mine = await cluster.GetGrain<IMatchmakingGrain>(slug).MineAsync(Kisumu);
        Assert.Single(outcomes, o => o.Meeting is not null);
        Assert.Single(mine.Meetings);
        Assert.Equal(49, outcomes.Count(o => o.Refusal?.Problem == Problem.MeetingSlotTaken));
        var refusal = outcomes.First(o => o.Refusal is not null).Refusal!;
        Assert.Equal("2027-03-02 09:00", refusal.Arguments[0]);
        Assert.Equal("2027-03-02 09:20, 2027-03-02 09:40, 2027-03-02 10:00, 2027-03-02 10:20, 2027-03-02 10:40", refusal.Arguments[1]);
        Assert.StartsWith("https://meet.example.org/", mine.Meetings[0].Place);
    }

    [Fact]
    public async Task Two_people_accepting_each_other_s_requests_for_the_same_slot_get_one_meeting_not_two()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (cluster, _, slug) = await StartAsync(db, Settings(), silos: 2);
        var grain = cluster.GetGrain<IMatchmakingGrain>(slug);
        var fromA = await grain.RequestAsync("a@example.org", "b@example.org", "", [Nine]);
        var fromB = await grain.RequestAsync("b@example.org", "a@example.org", "", [Nine]);

        var results = await Task.WhenAll(
            Attempt(() => cluster.Silo(0).GetGrain<IMatchmakingGrain>(slug).AcceptAsync("b@example.org", fromA.Id, Nine)),
            Attempt(() => cluster.Silo(1).GetGrain<IMatchmakingGrain>(slug).AcceptAsync("a@example.org", fromB.Id, Nine)));

        Assert.Equal(1, results.Count(r => r));
        Assert.Single((await grain.MineAsync("a@example.org")).Meetings);
        Assert.Single((await grain.MineAsync("b@example.org")).Meetings);
    }

    [Fact]
    public async Task Tables_are_never_shared_and_a_full_room_refuses_the_slot()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (cluster, _, slug) = await StartAsync(db, Settings(MeetingPlaceKind.Tables, tables: 2));
        var grain = cluster.GetGrain<IMatchmakingGrain>(slug);
        var requests = new List<MeetingRequest>();
        for (var i = 0; i < 3; i++)
        {
            requests.Add(await grain.RequestAsync(Person(i), Person(10 + i), "", [Nine, Nine.AddMinutes(20)]));
        }

        var places = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            places.Add((await grain.AcceptAsync(Person(10 + i), requests[i].Id, Nine)).Place);
        }

        var third = requests[2];
        var unbookable = await Assert.ThrowsAsync<ValidationFailedException>(() => grain.RequestAsync(Person(3), Person(13), "", [Nine]));
        var full = await Assert.ThrowsAsync<ValidationFailedException>(() => grain.AcceptAsync(Person(12), third.Id, Nine));
        var later = await grain.AcceptAsync(Person(12), third.Id, Nine.AddMinutes(20));

        Assert.Equal(["1", "2"], places);
        Assert.Equal(Problem.MeetingSlotTaken, full.Problem);
        Assert.Equal("1", later.Place);
        Assert.Equal(Problem.MeetingSlotInvalid, unbookable.Problem);
    }

    [Fact]
    public async Task A_request_over_the_limit_is_refused_with_the_count_and_a_cancelled_or_expired_one_frees_the_allowance()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (cluster, clock, slug) = await StartAsync(db, Settings() with { MaxOutgoing = 3, RequestHours = 1 });
        var grain = cluster.GetGrain<IMatchmakingGrain>(slug);
        const string Me = "me@example.org";
        var sent = new List<MeetingRequest>();
        for (var i = 0; i < 3; i++)
        {
            sent.Add(await grain.RequestAsync(Me, Person(i), "", [Nine]));
        }

        var over = await Assert.ThrowsAsync<ValidationFailedException>(() => grain.RequestAsync(Me, Person(3), "", [Nine]));
        await grain.CancelAsync(Me, sent[0].Id, null);
        await grain.RequestAsync(Me, Person(3), "", [Nine]);
        var againOver = await Assert.ThrowsAsync<ValidationFailedException>(() => grain.RequestAsync(Me, Person(4), "", [Nine]));
        clock.Advance(TimeSpan.FromHours(1));
        var afterExpiry = await grain.RequestAsync(Me, Person(4), "", [Nine]);
        var mine = await grain.MineAsync(Me);
        var lateAccept = await Assert.ThrowsAsync<ValidationFailedException>(() => grain.AcceptAsync(Person(1), sent[1].Id, Nine));

        Assert.Equal((Problem.MeetingLimit, 3, 3), (over.Problem, (int)over.Arguments[0], (int)over.Arguments[1]));
        Assert.Equal(Problem.MeetingLimit, againOver.Problem);
        Assert.Equal(RequestStatus.Pending, afterExpiry.Status);
        Assert.Equal(1, mine.OutgoingUsed);
        Assert.Equal(RequestStatus.Expired, mine.Outgoing.Single(r => r.Id == sent[1].Id).Status);
        Assert.Equal(Problem.MeetingRequestNotNow, lateAccept.Problem);
    }

    [Fact]
    public async Task A_request_needs_one_to_three_slots_free_for_both_and_a_declined_one_leaves_a_reason()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (cluster, _, slug) = await StartAsync(db, Settings());
        var grain = cluster.GetGrain<IMatchmakingGrain>(slug);
        var booked = await grain.RequestAsync("a@example.org", "b@example.org", "", [Nine]);
        await grain.AcceptAsync("b@example.org", booked.Id, Nine);

        var none = await Assert.ThrowsAsync<ValidationFailedException>(() => grain.RequestAsync("c@example.org", "b@example.org", "", []));
        var four = await Assert.ThrowsAsync<ValidationFailedException>(() => grain.RequestAsync("c@example.org", "b@example.org", "", [.. Enumerable.Range(1, 4).Select(i => Nine.AddMinutes(20 * i))]));
        var busy = await Assert.ThrowsAsync<ValidationFailedException>(() => grain.RequestAsync("c@example.org", "b@example.org", "", [Nine]));
        var offGrid = await Assert.ThrowsAsync<ValidationFailedException>(() => grain.RequestAsync("c@example.org", "b@example.org", "", [Nine.AddMinutes(5)]));
        var request = await grain.RequestAsync("c@example.org", "b@example.org", "Land registry?", [Nine.AddMinutes(20)]);
        var declined = await grain.DeclineAsync("b@example.org", request.Id, "Not my field, sorry");
        var known = await grain.KnownAsync("b@example.org");
        var cancelled = await grain.CancelAsync("a@example.org", booked.Id, "Flight moved");
        var freeAgain = await grain.FreeSlotsAsync("a@example.org", "b@example.org");

        Assert.Equal(Problem.MeetingSlotsCount, none.Problem);
        Assert.Equal(Problem.MeetingSlotsCount, four.Problem);
        Assert.Equal(Problem.MeetingSlotInvalid, busy.Problem);
        Assert.Equal(Problem.MeetingSlotInvalid, offGrid.Problem);
        Assert.Equal((RequestStatus.Declined, "Not my field, sorry"), (declined.Status, declined.Reason));
        Assert.Equal(["a@example.org", "c@example.org"], known.Order());
        Assert.Equal(RequestStatus.Cancelled, cancelled.Status);
        Assert.Contains(Nine, freeAgain);
    }

    private static async Task<bool> Attempt(Func<Task> action)
    {
        try
        {
            await action();
            return true;
        }
        catch (ValidationFailedException)
        {
            return false;
        }
    }
}
