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

    private static ProfileDraft Profile(string name, OrgType type) =>
        new(name, "Team", type, "Kisumu", "Kenya", ["en"], "", ["Mobility"], [], []);

    [Fact]
    public async Task People_are_free_by_default_except_when_they_speak_and_a_request_may_only_propose_times_both_marked_free()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (cluster, _, slug) = await StartAsync(db, Settings());
        var grain = cluster.GetGrain<IMatchmakingGrain>(slug);
        await cluster.GetGrain<Events.Grains.Agenda.IAgendaGrain>(slug).OpenAsync(new Events.Grains.Agenda.OpenEvent("Pitch day", "", "UTC"));
        await cluster.GetGrain<Events.Grains.Agenda.IAgendaGrain>(slug).ScheduleSessionAsync(new Events.Grains.Agenda.ScheduleSession(
            "Parking pilots", Agenda.SessionKind.Panel, Nine.AddMinutes(30), Nine.AddMinutes(50), "", [new Events.Grains.Agenda.Speaker("Amina Odhiambo", "Kisumu")]));
        await cluster.GetGrain<IProfileGrain>($"{slug}/amina@example.org").SaveAsync(Profile("Amina Odhiambo", OrgType.City), listed: true);

        var speaker = await grain.AvailabilityAsync("amina@example.org");
        await grain.SetAvailabilityAsync("joao@example.org", new MeetingPrefs(true, [Nine, Nine.AddMinutes(20), Nine.AddMinutes(100)], []));
        var bothFree = await grain.FreeSlotsAsync("amina@example.org", "joao@example.org");
        var notMarked = await Assert.ThrowsAsync<ValidationFailedException>(() => grain.RequestAsync("amina@example.org", "joao@example.org", "", [Nine.AddMinutes(60)]));
        var whileSpeaking = await Assert.ThrowsAsync<ValidationFailedException>(() => grain.RequestAsync("joao@example.org", "amina@example.org", "", [Nine.AddMinutes(20)]));
        var offWindow = await Assert.ThrowsAsync<ValidationFailedException>(() => grain.SetAvailabilityAsync("joao@example.org", new MeetingPrefs(true, [Nine.AddMinutes(7)], [])));
        var sent = await grain.RequestAsync("amina@example.org", "joao@example.org", "", [Nine, Nine.AddMinutes(100)]);

        // 09:20 and 09:40 clash with her 09:30–09:50 panel.
        Assert.Equal([Nine.AddMinutes(20), Nine.AddMinutes(40)], speaker.Speaking);
        Assert.Equal([Nine, Nine.AddMinutes(60), Nine.AddMinutes(80), Nine.AddMinutes(100)], speaker.Free);
        Assert.Equal([Nine, Nine.AddMinutes(100)], bothFree);
        Assert.Equal((Problem.MeetingSlotInvalid, "2027-03-02 10:00"), (notMarked.Problem, (string)notMarked.Arguments[0]));
        Assert.Equal(Problem.MeetingSlotInvalid, whileSpeaking.Problem);
        Assert.Equal(Problem.MeetingFreeSlotsInvalid, offWindow.Problem);
        Assert.Equal(RequestStatus.Pending, sent.Status);
    }

    [Fact]
    public async Task A_person_who_refuses_investors_gets_no_request_from_one_and_the_investor_is_told_why()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (cluster, _, slug) = await StartAsync(db, Settings());
        var grain = cluster.GetGrain<IMatchmakingGrain>(slug);
        await cluster.GetGrain<IProfileGrain>($"{slug}/fund@example.org").SaveAsync(Profile("Fund", OrgType.Investor), listed: true);
        await cluster.GetGrain<IProfileGrain>($"{slug}/city@example.org").SaveAsync(Profile("City", OrgType.City), listed: true);
        await grain.SetAvailabilityAsync("kisumu@example.org", new MeetingPrefs(false, [], [OrgType.Investor]));

        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => grain.RequestAsync("fund@example.org", "kisumu@example.org", "", [Nine]));
        var fromCity = await grain.RequestAsync("city@example.org", "kisumu@example.org", "", [Nine]);
        var mine = await grain.MineAsync("kisumu@example.org");

        Assert.Equal((Problem.MeetingTypeRefused, OrgType.Investor), (refused.Problem, (OrgType)refused.Arguments[0]));
        Assert.Equal([fromCity.Id], mine.Incoming.Select(r => r.Id));
    }

    [Fact]
    public async Task The_invitee_proposes_other_times_and_the_sender_accepts_one_without_it_counting_against_the_invitee_s_limit()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (cluster, _, slug) = await StartAsync(db, Settings() with { MaxOutgoing = 1 });
        var grain = cluster.GetGrain<IMatchmakingGrain>(slug);
        await grain.RequestAsync("b@example.org", "c@example.org", "", [Nine]);
        var asked = await grain.RequestAsync("a@example.org", "b@example.org", "Parking?", [Nine]);

        var counter = await grain.ProposeAsync("b@example.org", asked.Id, "Busy then; later?", [Nine.AddMinutes(40), Nine.AddMinutes(60)]);
        var tooLateToAccept = await Assert.ThrowsAsync<ValidationFailedException>(() => grain.AcceptAsync("b@example.org", asked.Id, Nine));
        var meeting = await grain.AcceptAsync("a@example.org", counter.Id, Nine.AddMinutes(60));
        var a = await grain.MineAsync("a@example.org");
        var b = await grain.MineAsync("b@example.org");

        Assert.Equal(("b@example.org", "a@example.org", asked.Id), (counter.From, counter.To, counter.Counters));
        Assert.Equal((RequestStatus.Countered, "Busy then; later?"), (a.Outgoing.Single(r => r.Id == asked.Id).Status, a.Outgoing.Single(r => r.Id == asked.Id).Reason));
        Assert.Equal(Problem.MeetingRequestNotNow, tooLateToAccept.Problem);
        Assert.Equal(Nine.AddMinutes(60), meeting.Start);
        Assert.Single(a.Meetings);
        Assert.Equal(1, b.OutgoingUsed);
    }

    [Fact]
    public async Task A_reschedule_keeps_the_meeting_until_the_other_accepts_a_new_time_then_moves_it_and_frees_the_old_table()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (cluster, _, slug) = await StartAsync(db, Settings(MeetingPlaceKind.Tables, tables: 1));
        var grain = cluster.GetGrain<IMatchmakingGrain>(slug);
        var first = await grain.RequestAsync("a@example.org", "b@example.org", "", [Nine]);
        var booked = await grain.AcceptAsync("b@example.org", first.Id, Nine);

        var declinedMove = await grain.RescheduleAsync("b@example.org", first.Id, "Train late", [Nine.AddMinutes(20)]);
        await grain.DeclineAsync("a@example.org", declinedMove.Id, null);
        var stillBooked = await grain.MineAsync("a@example.org");
        var move = await grain.RescheduleAsync("a@example.org", first.Id, "My panel moved", [Nine.AddMinutes(40)]);
        var moved = await grain.AcceptAsync("b@example.org", move.Id, Nine.AddMinutes(40));
        var after = await grain.MineAsync("b@example.org");
        var other = await grain.RequestAsync("c@example.org", "d@example.org", "", [Nine]);
        var tableAgain = await grain.AcceptAsync("d@example.org", other.Id, Nine);

        Assert.False(stillBooked.Meetings.Single().Cancelled);
        Assert.Equal(Nine.AddMinutes(40), moved.Start);
        Assert.Equal([(booked.Id, true, "My panel moved"), (moved.Id, false, null)], after.Meetings.Select(m => (m.Id, m.Cancelled, m.Note)));
        Assert.Equal("1", tableAgain.Place);
        Assert.Equal(0, (await grain.MineAsync("b@example.org")).OutgoingUsed);
    }

    [Fact]
    public async Task Each_booked_meeting_is_reminded_once_an_hour_before_across_a_restart_and_a_cancelled_or_moved_one_only_at_its_new_time()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (cluster, clock, slug) = await StartAsync(db, Settings());
        var lead = TimeSpan.FromHours(1);
        var grain = cluster.GetGrain<IMatchmakingGrain>(slug);
        var kept = await grain.AcceptAsync("b@example.org", (await grain.RequestAsync("a@example.org", "b@example.org", "", [Nine])).Id, Nine);
        var cancelled = await grain.RequestAsync("c@example.org", "d@example.org", "", [Nine.AddMinutes(20)]);
        await grain.AcceptAsync("d@example.org", cancelled.Id, Nine.AddMinutes(20));
        await grain.CancelAsync("c@example.org", cancelled.Id, "Flight changed");
        var moving = await grain.RequestAsync("e@example.org", "f@example.org", "", [Nine.AddMinutes(40)]);
        var old = await grain.AcceptAsync("f@example.org", moving.Id, Nine.AddMinutes(40));
        var move = await grain.RescheduleAsync("e@example.org", moving.Id, "Later, please", [Nine.AddMinutes(100)]);
        var moved = await grain.AcceptAsync("f@example.org", move.Id, Nine.AddMinutes(100));
        var outbox = cluster.GetGrain<Events.Grains.Mail.IMailOutboxGrain>(slug);
        var promisedBefore = (await outbox.PendingAsync()).Length;

        var firstDue = await grain.RemindAsync(lead);
        clock.Advance(Nine - lead - Now - TimeSpan.FromMinutes(1));
        var notYet = await grain.RemindAsync(lead);
        var promisedNotYet = (await outbox.PendingAsync()).Length;
        clock.Advance(TimeSpan.FromMinutes(1));
        var nextDue = await grain.RemindAsync(lead);
        await grain.RemindAsync(lead);
        var promisedAtEight = (await outbox.PendingAsync()).Length;

        // A new process over the same database: the reminder is not promised again.
        await cluster.DisposeAsync();
        var second = await db.StartClusterAsync(new ClusterSetup { Clock = clock });
        var again = second.GetGrain<IMatchmakingGrain>(slug);
        var afterRestart = await again.RemindAsync(lead);
        var promisedAfterRestart = (await second.GetGrain<Events.Grains.Mail.IMailOutboxGrain>(slug).PendingAsync()).Length;
        clock.Advance(TimeSpan.FromMinutes(100));
        var last = await again.RemindAsync(lead);
        var journal = await db.ReadEventsAsync<MatchmakingEvent>(new Events.Grains.Journal.JournalKey("matchmaking", slug), 0, 1_000);

        Assert.Equal(Nine - lead, firstDue);
        Assert.Equal(Nine - lead, notYet);
        Assert.Equal(promisedBefore, promisedNotYet);
        Assert.Equal(Nine.AddMinutes(100) - lead, nextDue);
        Assert.Equal(promisedBefore + 1, promisedAtEight);
        Assert.Equal(Nine.AddMinutes(100) - lead, afterRestart);
        Assert.Equal(promisedAtEight, promisedAfterRestart);
        Assert.Null(last);
        Assert.Equal([kept.Id, moved.Id], journal.Select(e => e.Event).OfType<MeetingReminderDue>().Select(r => r.MeetingId));
        Assert.NotEqual(old.Id, moved.Id);
    }

    [Fact]
    public async Task A_request_accept_or_decline_resent_under_its_idempotency_key_happens_once_and_answers_the_same()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (cluster, _, slug) = await StartAsync(db, Settings(), silos: 2);
        var grain = cluster.GetGrain<IMatchmakingGrain>(slug);

        var sent = await grain.RequestOnceAsync("a@example.org", "b@example.org", "Parking?", [Nine, Nine.AddMinutes(20)], "k1");
        var resent = await cluster.Silo(1).GetGrain<IMatchmakingGrain>(slug).RequestOnceAsync("a@example.org", "b@example.org", "Parking?", [Nine, Nine.AddMinutes(20)], "k1");
        var othersKey = await grain.RequestOnceAsync("c@example.org", "b@example.org", "", [Nine.AddMinutes(40)], "k1");
        var accepts = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => cluster.Silo(i % 2).GetGrain<IMatchmakingGrain>(slug).AcceptOnceAsync("b@example.org", sent.Id, Nine, "k2")));
        var wrongRequest = await Assert.ThrowsAsync<ValidationFailedException>(() => grain.AcceptOnceAsync("b@example.org", othersKey.Id, Nine.AddMinutes(40), "k2"));
        var declined = await grain.DeclineOnceAsync("b@example.org", othersKey.Id, "Not this week", "k3");
        var declinedAgain = await grain.DeclineOnceAsync("b@example.org", othersKey.Id, "Not this week", "k3");
        var noKey = await Assert.ThrowsAsync<ValidationFailedException>(() => grain.RequestOnceAsync("a@example.org", "d@example.org", "", [Nine.AddMinutes(60)], " "));
        var mine = await grain.MineAsync("a@example.org");
        var invitee = await grain.MineAsync("b@example.org");

        Assert.Equal(sent.Id, resent.Id);
        Assert.NotEqual(sent.Id, othersKey.Id);
        Assert.Single(mine.Outgoing);
        Assert.Equal(1, mine.OutgoingUsed);
        Assert.Single(accepts.Select(m => m.Id).Distinct());
        Assert.Single(invitee.Meetings);
        Assert.Equal(Nine, invitee.Meetings[0].Start);
        Assert.Equal(Problem.IdempotencyKeyReused, wrongRequest.Problem);
        Assert.Equal((RequestStatus.Declined, "Not this week"), (declined.Status, declined.Reason));
        Assert.Equal((declined.Id, declined.Status, declined.Reason), (declinedAgain.Id, declinedAgain.Status, declinedAgain.Reason));
        Assert.Equal(Problem.IdempotencyKeyInvalid, noKey.Problem);
    }

    [Fact]
    public async Task An_organiser_books_a_meeting_for_two_people_through_the_same_clash_rules_and_it_is_audited()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (cluster, _, slug) = await StartAsync(db, Settings());
        var grain = cluster.GetGrain<IMatchmakingGrain>(slug);

        var arranged = await grain.ArrangeAsync("organiser@example.org", "a@example.org", "b@example.org", Nine, "Meet about parking");
        var clash = await Assert.ThrowsAsync<ValidationFailedException>(() => grain.ArrangeAsync("organiser@example.org", "a@example.org", "c@example.org", Nine, null));
        var mine = await grain.MineAsync("b@example.org");
        var cancelled = await grain.CancelAsync("b@example.org", arranged.RequestId, "Ill");
        var audit = await cluster.GetGrain<Events.Grains.Audit.IAuditTrailGrain>(slug).ListAsync(50);

        Assert.Equal(Problem.MeetingSlotTaken, clash.Problem);
        Assert.Equal((Nine, "organiser@example.org"), (mine.Meetings.Single().Start, mine.Incoming.Single().BookedBy));
        Assert.Equal(0, (await grain.MineAsync("a@example.org")).OutgoingUsed);
        Assert.Equal(RequestStatus.Cancelled, cancelled.Status);
        Assert.Contains(audit, e => e.Actor == "organiser@example.org" && e.What is { Kind: "meeting-arranged" } what && what.Arguments[0].Value == arranged.Id);
    }

    [Fact]
    public async Task Either_side_saying_a_meeting_did_not_take_place_makes_it_a_no_show_and_only_held_meetings_get_the_later_question()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (cluster, clock, slug) = await StartAsync(db, Settings());
        var grain = cluster.GetGrain<IMatchmakingGrain>(slug);
        var missed = await grain.ArrangeAsync("organiser@example.org", "a@example.org", "b@example.org", Nine, null);
        var held = await grain.ArrangeAsync("organiser@example.org", "a@example.org", "c@example.org", Nine.AddMinutes(20), null);

        var tooEarly = await Assert.ThrowsAsync<ValidationFailedException>(() => grain.FeedbackAsync("a@example.org", missed.Id, MeetingFeedback.CooperationPossible));
        clock.Advance(Nine.AddMinutes(40) - Now);
        await grain.FeedbackAsync("a@example.org", missed.Id, MeetingFeedback.UsefulNoCooperation);
        var noShow = await grain.FeedbackAsync("b@example.org", missed.Id, MeetingFeedback.DidNotTakePlace);
        var heldOnce = await grain.FeedbackAsync("c@example.org", held.Id, MeetingFeedback.CooperationPossible);
        var notAskedYet = await Assert.ThrowsAsync<ValidationFailedException>(() => grain.LaterAsync("a@example.org", held.Id, LaterOutcome.PilotStarted));
        var stranger = await Assert.ThrowsAsync<ValidationFailedException>(() => grain.FeedbackAsync("d@example.org", held.Id, MeetingFeedback.CooperationPossible));
        await grain.AskLaterAsync("organiser@example.org");
        var notForNoShows = await Assert.ThrowsAsync<ValidationFailedException>(() => grain.LaterAsync("a@example.org", missed.Id, LaterOutcome.PilotStarted));
        await grain.LaterAsync("c@example.org", held.Id, LaterOutcome.NegotiationStarted);
        var later = await grain.LaterAsync("a@example.org", held.Id, LaterOutcome.PilotStarted);
        var report = await grain.ReportAsync();

        Assert.Equal(Problem.MeetingFeedbackNotNow, tooEarly.Problem);
        Assert.Equal(MeetingHeld.NoShow, noShow.After.Held);
        Assert.Equal(MeetingHeld.Held, heldOnce.After.Held);
        Assert.Equal(Problem.MeetingFeedbackNotNow, notAskedYet.Problem);
        Assert.Equal(Problem.MeetingRequestMissing, stranger.Problem);
        Assert.Equal(Problem.MeetingFeedbackNotNow, notForNoShows.Problem);
        Assert.Equal((true, LaterOutcome.PilotStarted), (later.LaterAsked, later.After.Outcome));
        Assert.Equal([MeetingHeld.NoShow, MeetingHeld.Held], report.Meetings.Select(m => m.After.Held));
        Assert.NotNull(report.LaterAskedAt);
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
