using System.Collections.Immutable;
using Events.Grains.Scheduling;

namespace Events.Grains.Tests.Scheduling;

public sealed class SchedulerTests
{
    private static readonly SchedulerOptions Quick = new(TimeSpan.FromSeconds(3), SchedulerOptions.DefaultWorkers);

    // For the hand-worked cases whose minimum the solver must prove: it stops as soon as it has,
    // within a moment on these small problems, so the limit is only reached when a busy machine
    // starves it, and a proof is never missed for want of time.
    private static readonly SchedulerOptions ToProve = new(TimeSpan.FromSeconds(120), SchedulerOptions.DefaultWorkers);

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Schedules_of_generated_instances_keep_every_rule(int seed)
    {
        var problem = SchedulingInstances.Generate(seed);

        var greedy = GreedyScheduler.Solve(problem);
        var solved = CpSatScheduler.Solve(problem, Quick, cancel: TestContext.Current.CancellationToken);

        ScheduleChecker.AssertValid(problem, greedy);
        ScheduleChecker.AssertValid(problem, solved);
        Assert.True(solved.Scheduled.Length >= greedy.Scheduled.Length);
        Assert.True(solved.Scheduled.Length > greedy.Scheduled.Length || solved.Gaps <= greedy.Gaps, $"{solved.Gaps} gaps, greedy {greedy.Gaps}");

        // The bound is proven, so no schedule may go below it.
        Assert.True(solved.Gaps >= solved.LowerBound, $"{solved.Gaps} gaps below the bound {solved.LowerBound}");
    }

    // Three people who all want to meet each other, and four slots. The three meetings need three
    // different slots t1 < t2 < t3; the meetings at t1 and t3 share a person (any two of them do),
    // who has no other meeting and so waits in between: at least one gap. m1 s1, m2 s2, m3 s3
    // leaves only p1 waiting (at s2), so the minimum is exactly 1. (A fourth meeting of p1 could
    // fill that wait: the example has none.)
    [Fact]
    public void A_triangle_of_meetings_costs_exactly_one_gap_and_the_solver_proves_it()
    {
        var problem = Problem(
            slots: ["s1:morning", "s2:morning", "s3:afternoon", "s4:afternoon"],
            tables: 4,
            people: ["p1", "p2", "p3"],
            meetings: ["m1:p1:p2:any", "m2:p2:p3:any", "m3:p1:p3:any"]);

        var schedule = CpSatScheduler.Solve(problem, ToProve, cancel: TestContext.Current.CancellationToken);

        ScheduleChecker.AssertValid(problem, schedule);
        Assert.Empty(schedule.Unscheduled);
        Assert.Equal(1, schedule.Gaps);
        Assert.True(schedule.Optimal);
    }

    // The per-person floor (GapBound) looks at which slots each of a person's meetings may take.
    // p1 meets p2 in the morning only, and p2 is away at s2, so that meeting is at s1; p1 meets p3
    // in the afternoon only, and p3 is away at s3, so that one is at s4. p1's meeting with p4 can
    // go anywhere, but s1 and s4 are never in one run of meetings with only three of them: p1
    // needs two blocks, one gap at least, and p4 at s2 reaches it. The older floor, from the runs
    // of slots p1 is free in (all four, one run), said 1 block.
    [Fact]
    public void A_person_whose_meetings_are_held_to_both_ends_of_the_day_needs_two_blocks_and_the_floor_proves_one_gap()
    {
        var problem = Problem(
            slots: ["s1:morning", "s2:morning", "s3:afternoon", "s4:afternoon"],
            tables: 4,
            people: ["p1", "p2:s2", "p3:s3", "p4"],
            meetings: ["m1:p1:p2:morning", "m2:p1:p3:afternoon", "m3:p1:p4:any"]);

        var floors = GapBound.PersonBlocks(new ScheduleModel(problem));
        var schedule = CpSatScheduler.Solve(problem, ToProve, cancel: TestContext.Current.CancellationToken);

        Assert.Equal([2, 1, 1, 1], floors);
        ScheduleChecker.AssertValid(problem, schedule);
        Assert.Equal(1, schedule.Gaps);
        Assert.Equal(1, schedule.LowerBound);
        Assert.True(schedule.Optimal);
    }

    // Three people who all meet each other, three slots. Worked by hand: the meetings take three
    // different slots t1 < t2 < t3; the meetings at t1 and t3 share a person, whose only two
    // meetings they are, so that person waits at t2: at least one gap, and m1 s1, m2 s2, m3 s3
    // has exactly one. The per-person floor cannot see it (each person alone fits two meetings
    // in a row: floor 0 gaps); CP-SAT proves the 1 on a model this small.
    [Fact]
    public void A_triangle_in_a_three_slot_day_costs_one_gap_which_the_per_person_floor_does_not_see()
    {
        var problem = Problem(
            slots: ["s1:morning", "s2:morning", "s3:afternoon"],
            tables: 3,
            people: ["p1", "p2", "p3"],
            meetings: ["m1:p1:p2:any", "m2:p2:p3:any", "m3:p1:p3:any"]);

        var floors = GapBound.PersonBlocks(new ScheduleModel(problem));
        var schedule = CpSatScheduler.Solve(problem, ToProve, cancel: TestContext.Current.CancellationToken);

        Assert.Equal([1, 1, 1], floors);
        Assert.Equal(0, schedule.LowerBound);
        Assert.Equal(1, schedule.Gaps);
        Assert.True(schedule.Optimal);
    }

    // Four people in a ring (p1-p2, p2-p3, p3-p4, p4-p1), four slots. Worked by hand, one table:
    // the four meetings fill every slot, two people busy in each, so if everyone's two meetings
    // were in a row, two people would be busy in s1-s2 and the other two in s3-s4; then p1, say,
    // is with p2 at s1 and s2, but they have only one meeting. So someone waits, and p1-p2 s1,
    // p2-p3 s2, p3-p4 s3, p4-p1 s4 leaves only p1 waiting: the minimum is 1. Each person alone
    // fits their two meetings in a row (per-person floor 0); the crowding bound sees the 1. With
    // two tables, p1-p2 and p3-p4 at s1, the other two at s2: nobody waits, and the crowding bound
    // must claim nothing. The pattern LP (PatternBound) does not see the ring either: every
    // meeting a quarter in each slot, and each person half on s1-s2 and half on s3-s4, costs nothing.
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 0)]
    public void A_ring_of_four_costs_one_gap_at_one_table_which_only_the_crowding_bound_sees(int tables, int gaps)
    {
        var problem = Problem(
            slots: ["s1:morning", "s2:morning", "s3:afternoon", "s4:afternoon"],
            tables: tables,
            people: ["p1", "p2", "p3", "p4"],
            meetings: ["m1:p1:p2:any", "m2:p2:p3:any", "m3:p3:p4:any", "m4:p4:p1:any"]);

        var bounds = CpSatScheduler.LowerBounds(problem, 60);
        var schedule = CpSatScheduler.Solve(problem, ToProve, cancel: TestContext.Current.CancellationToken);

        Assert.Equal((0, gaps, 0), bounds);
        ScheduleChecker.AssertValid(problem, schedule);
        Assert.Equal(gaps, schedule.Gaps);
        Assert.Equal(gaps, schedule.LowerBound);
        Assert.True(schedule.Optimal);
    }

    // One table, two morning slots and three afternoon ones. p5 is free only at s2, p7 only at
    // s4 and p6 only at s5, so p4-p5 takes s2, p2-p7 s4 and p4-p6 s5, each alone at the table.
    // p1 meets p2 in the morning and p3 in the afternoon: alone, p1 fits both in a row (s2, s3),
    // but s2 is taken, so p1-p2 is at s1, p1-p3 at s3 (s4 and s5 are taken too), and p1 waits at
    // s2. p2 (s1, s4) and p4 (s2, s5) wait as well: 3 gaps in every schedule, and that one has
    // exactly 3. The per-person floor counts p2's and p4's (2): each alone cannot do better. The
    // crowding bound adds nothing: it leaves out p2 and p4 (floor of two blocks) and does not count
    // meetings per table, and without them nobody crowds s2 (p1 and p5, two people for one table).
    // The pattern LP sees it: meetings with one slot fix their x at 1, so the table at s2 is full,
    // p1-p2 is wholly at s1 and p1-p3 wholly at s3, and p1's only pattern busy there costs 1.
    [Fact]
    public void A_person_whose_midday_slot_is_taken_waits_which_only_the_pattern_lp_sees()
    {
        var problem = Problem(
            slots: ["s1:morning", "s2:morning", "s3:afternoon", "s4:afternoon", "s5:afternoon"],
            tables: 1,
            people: ["p1", "p2", "p3", "p4", "p5:s1:s3:s4:s5", "p6:s1:s2:s3:s4", "p7:s1:s2:s3:s5"],
            meetings: ["m1:p1:p2:morning", "m2:p1:p3:afternoon", "m3:p4:p5:any", "m4:p4:p6:any", "m5:p2:p7:any"]);

        var bounds = CpSatScheduler.LowerBounds(problem, 60);
        var schedule = CpSatScheduler.Solve(problem, ToProve, cancel: TestContext.Current.CancellationToken);

        Assert.Equal((2, 0, 3), bounds);
        ScheduleChecker.AssertValid(problem, schedule);
        Assert.Equal(3, schedule.Gaps);
        Assert.Equal(3, schedule.LowerBound);
        Assert.True(schedule.Optimal);
    }

    // p1 has meetings with p2 and p3; p3 is only free at s1 and s3. The greedy order puts p1-p2 at
    // s1 and p1-p3 at s3 (one gap for p1); the best is p1-p3 at s3 and p1-p2 at s2 (none).
    [Fact]
    public void The_solver_closes_a_gap_the_greedy_schedule_leaves()
    {
        var problem = Problem(
            slots: ["s1:morning", "s2:morning", "s3:morning"],
            tables: 2,
            people: ["p1", "p2", "p3:s2"],
            meetings: ["m1:p1:p2:any", "m2:p1:p3:any"]);

        var greedy = GreedyScheduler.Solve(problem);
        var schedule = CpSatScheduler.Solve(problem, ToProve, cancel: TestContext.Current.CancellationToken);

        Assert.Equal(1, greedy.Gaps);
        ScheduleChecker.AssertValid(problem, schedule);
        Assert.Equal(0, schedule.Gaps);
        Assert.True(schedule.Optimal);
    }

    // p1 is away at s3 and has four meetings in five slots: whatever the order, they fall on both
    // sides of s3, so p1 waits once; the others have one meeting each. The minimum is exactly 1,
    // and the bound the solver takes from p1's free runs proves it.
    [Fact]
    public void A_person_whose_day_is_split_by_an_unavailable_slot_waits_once_and_the_solver_proves_nothing_is_better()
    {
        var problem = Problem(
            slots: ["s1:morning", "s2:morning", "s3:morning", "s4:afternoon", "s5:afternoon"],
            tables: 5,
            people: ["p1:s3", "p2", "p3", "p4", "p5"],
            meetings: ["m1:p1:p2:any", "m2:p1:p3:any", "m3:p1:p4:any", "m4:p1:p5:any"]);

        var schedule = CpSatScheduler.Solve(problem, ToProve, cancel: TestContext.Current.CancellationToken);

        ScheduleChecker.AssertValid(problem, schedule);
        Assert.Empty(schedule.Unscheduled);
        Assert.Equal(1, schedule.Gaps);
        Assert.True(schedule.Optimal);
    }

    [Fact]
    public void A_meeting_whose_two_people_share_no_free_slot_is_reported_with_that_reason()
    {
        var problem = Problem(
            slots: ["s1:morning", "s2:morning", "s3:afternoon", "s4:afternoon"],
            tables: 5,
            people: ["p1:s1:s2", "p2:s3:s4", "p3", "p4:s1:s2"],
            meetings: ["m1:p1:p2:any", "m2:p1:p3:any", "m3:p3:p4:morning"]);

        var schedule = CpSatScheduler.Solve(problem, Quick, cancel: TestContext.Current.CancellationToken);

        ScheduleChecker.AssertValid(problem, schedule);
        Assert.Equal(
            [new UnscheduledMeeting("m1", UnscheduledReasons.NoCommonFreeSlot), new UnscheduledMeeting("m3", UnscheduledReasons.NoCommonFreeSlotInSession)],
            schedule.Unscheduled.OrderBy(u => u.Meeting));
        Assert.Equal("m2", Assert.Single(schedule.Scheduled).Meeting);
    }

    [Fact]
    public void A_meeting_left_out_for_want_of_tables_says_so()
    {
        var problem = Problem(
            slots: ["s1:morning"],
            tables: 1,
            people: ["p1", "p2", "p3", "p4"],
            meetings: ["m1:p1:p2:any", "m2:p3:p4:any"]);

        var schedule = CpSatScheduler.Solve(problem, ToProve, cancel: TestContext.Current.CancellationToken);

        ScheduleChecker.AssertValid(problem, schedule);
        Assert.Equal(UnscheduledReasons.NoRoomLeft, Assert.Single(schedule.Unscheduled).Reason);
        Assert.True(schedule.Optimal);
    }

    // A re-run after changes: new meetings and one person who can no longer come at the slot of a
    // published meeting. Every other published meeting keeps its slot and table; that one moves.
    [Fact]
    public void Published_meetings_stay_where_they_are_when_the_schedule_is_run_again()
    {
        var problem = SchedulingInstances.Generate(21);
        var first = CpSatScheduler.Solve(problem, Quick, cancel: TestContext.Current.CancellationToken);
        var published = first.Scheduled.ToDictionary(s => s.Meeting);
        var moved = first.Scheduled[0];
        var movedMeeting = problem.Meetings.Single(m => m.Id == moved.Meeting);
        var people = problem.Participants.Select(p => p.Id).ToList();
        var added = Enumerable.Range(0, 12).Select(i => new ProblemMeeting($"new{i}", people[i], people[^(i + 1)], "any"));
        var again = problem with
        {
            Participants = [.. problem.Participants.Select(p => p.Id == movedMeeting.A ? p with { Unavailable = p.Unavailable.Add(moved.Slot) } : p)],
            Meetings = [.. problem.Meetings.Select(m => published.TryGetValue(m.Id, out var s) ? m with { Published = new PlacedAt(s.Slot, s.Table) } : m), .. added],
        };

        var second = CpSatScheduler.Solve(again, Quick, cancel: TestContext.Current.CancellationToken);

        ScheduleChecker.AssertValid(again, second);
        var now = second.Scheduled.ToDictionary(s => s.Meeting);
        foreach (var (id, before) in published.Where(p => p.Key != moved.Meeting))
        {
            Assert.Equal(before, now[id]);
        }

        Assert.NotEqual(moved.Slot, now.GetValueOrDefault(moved.Meeting)?.Slot);
        Assert.Equal(1, second.Moved);
    }

    [Fact]
    public void The_bench_contract_reads_the_problem_and_writes_the_schedule_as_the_issue_spells_them()
    {
        const string json = """
            {"slots":[{"id":"s1","session":"morning"},{"id":"s2","session":"afternoon"}],"tables":14,
             "participants":[{"id":"p1","unavailable":["s2"]},{"id":"p2","unavailable":[]}],
             "meetings":[{"id":"m1","a":"p1","b":"p2","session":"any"}]}
            """;

        var schedule = GreedyScheduler.Solve(SchedulingJson.ReadProblem(json));
        var written = SchedulingJson.Write(schedule);

        Assert.StartsWith("""{"scheduled":[{"meeting":"m1","slot":"s1","table":1}],"unscheduled":[],"gaps":0,""", written, StringComparison.Ordinal);
        Assert.Contains("\"optimal\":false", written, StringComparison.Ordinal);
        Assert.Contains("\"seconds\":", written, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"slots":[{"id":"s1","session":"evening"}],"tables":1,"participants":[],"meetings":[]}""", "session")]
    [InlineData("""{"slots":[{"id":"s1","session":"morning"}],"tables":1,"participants":[{"id":"p1"}],"meetings":[{"id":"m1","a":"p1","b":"p9"}]}""", "participants")]
    [InlineData("""{"slots":[{"id":"s1","session":"morning"}],"tables":1,"participants":[{"id":"p1"}],"meetings":[{"id":"m1","a":"p1","b":"p1"}]}""", "two different people")]
    public void A_problem_that_does_not_hold_together_is_refused_with_what_is_wrong(string json, string expected)
    {
        var refused = Assert.Throws<ProblemInvalidException>(() => GreedyScheduler.Solve(SchedulingJson.ReadProblem(json)));

        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
    }

    // "s1:morning"; "p3:s2" (p3 unavailable at s2); "m1:p1:p2:any".
    private static SchedulingProblem Problem(string[] slots, int tables, string[] people, string[] meetings) => new(
        [.. slots.Select(s => s.Split(':')).Select(s => new ProblemSlot(s[0], s[1]))],
        tables,
        [.. people.Select(p => p.Split(':')).Select(p => new ProblemParticipant(p[0], [.. p.Skip(1)]))],
        [.. meetings.Select(m => m.Split(':')).Select(m => new ProblemMeeting(m[0], m[1], m[2], m[3]))]);
}
