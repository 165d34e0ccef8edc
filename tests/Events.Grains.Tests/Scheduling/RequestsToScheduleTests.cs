using Events.Grains.Matchmaking;

namespace Events.Grains.Tests.Scheduling;

// A request whose invitee leaves the time to the organisers: a wanted meeting for "Schedule all",
// booked on the request itself when the schedule is published.
public sealed class RequestsToScheduleTests
{
    private static readonly DateTimeOffset Now = new(2027, 3, 1, 7, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Nine = new(2027, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static async Task<(GrainCluster Cluster, string Slug)> StartAsync(TestDatabase db)
    {
        var cluster = await db.StartClusterAsync(new ClusterSetup { Clock = new ManualClock(Now) });
        var slug = $"event-{Guid.NewGuid():N}";
        await cluster.GetGrain<IMatchmakingGrain>(slug).SetSettingsAsync("organiser@example.org", MatchSettings.Default with
        {
            Windows = [new MeetingWindow(Nine, Nine.AddHours(1))],
            Place = MeetingPlaceKind.Tables,
            Tables = 2,
        });
        return (cluster, slug);
    }

    [Fact]
    public async Task The_invitee_leaves_the_time_to_the_organisers_and_publishing_books_the_meeting_on_that_request()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (cluster, slug) = await StartAsync(db);
        var grain = cluster.GetGrain<IMatchmakingGrain>(slug);
        var request = await grain.RequestAsync("ines@example.org", "carlos@example.org", "Land registry?", [Nine]);

        var byRequester = await Assert.ThrowsAsync<ValidationFailedException>(() => grain.AcceptToScheduleAsync("ines@example.org", request.Id));
        var left = await grain.AcceptToScheduleAsync("carlos@example.org", request.Id);

        Assert.Equal(Problem.MeetingRequestNotNow, byRequester.Problem);
        Assert.Equal(RequestStatus.ToSchedule, left.Status);
        Assert.Empty((await grain.MineAsync("carlos@example.org")).Meetings);
        Assert.Equal(1, (await grain.MineAsync("ines@example.org")).OutgoingUsed);

        var booked = await grain.BookScheduledAsync("organiser@example.org", [new ScheduledBooking("ines@example.org", "carlos@example.org", Nine.AddMinutes(20), 2, null, request.Id)]);

        var mine = await grain.MineAsync("ines@example.org");
        var meeting = Assert.Single(mine.Meetings);
        Assert.Equal(booked.Single(), meeting.Id);
        Assert.Equal((request.Id, Nine.AddMinutes(20), "2"), (meeting.RequestId, meeting.Start, meeting.Place));
        var answered = Assert.Single(mine.Outgoing);
        Assert.Equal((RequestStatus.Accepted, meeting.Id), (answered.Status, answered.MeetingId));
    }

    [Fact]
    public async Task A_request_left_to_the_organisers_and_cancelled_before_publishing_stays_cancelled()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (cluster, slug) = await StartAsync(db);
        var grain = cluster.GetGrain<IMatchmakingGrain>(slug);
        var request = await grain.RequestAsync("ines@example.org", "carlos@example.org", "", [Nine]);
        await grain.AcceptToScheduleAsync("carlos@example.org", request.Id);

        var cancelled = await grain.CancelAsync("ines@example.org", request.Id, "Plans changed");
        var booked = await grain.BookScheduledAsync("organiser@example.org", [new ScheduledBooking("ines@example.org", "carlos@example.org", Nine, 1, null, request.Id)]);

        Assert.Equal(RequestStatus.Cancelled, cancelled.Status);
        Assert.Equal([""], booked);
        Assert.Empty((await grain.MineAsync("carlos@example.org")).Meetings);
        Assert.Equal(0, (await grain.MineAsync("ines@example.org")).OutgoingUsed);
    }
}
