using Events.Grains.Pitches;

namespace Events.Grains.Tests.Pitches;

public sealed class PitchRoomGrainTests
{
    private const string Investor = "investor@fund.example.org";

    private static async Task<(IGrainFactory Grains, string Slug)> StartAsync(TestDatabase db)
    {
        var cluster = await db.StartClusterAsync();
        return (cluster.Client, $"event-{Guid.NewGuid():N}");
    }

    private static async Task<IPitchRoomGrain> RoomWithPitchAsync(IGrainFactory grains, string slug, string teamName = "Kampala")
    {
        await grains.GetGrain<IPitchCardsGrain>(slug).SaveAsync("team@kampala.example.org", TeamKey.From(teamName), new PitchCardContent(
            teamName, "Minibus routes nobody maps", "An app", "3,000 riders", "USD 80,000", "A mobile operator", null, null, "Joseph Okello", "joseph@kampala.example.org"));
        var room = grains.GetGrain<IPitchRoomGrain>($"{slug}/s4");
        await room.AddPitchAsync("moderator@example.org", TeamKey.From(teamName));
        return room;
    }

    private static ScorecardInput AllScores(int score, string comment = "", Interest interest = Interest.Interested, bool conflict = false) =>
        new(Enumerable.Range(1, 5).ToDictionary(i => $"c{i}", _ => score), comment, "private", interest, conflict);

    [Fact]
    public async Task The_rubric_locks_when_scoring_first_opens_and_the_pitch_keeps_the_criteria_it_was_scored_against()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (grains, slug) = await StartAsync(db);
        var rubric = grains.GetGrain<IRubricGrain>(slug);
        await rubric.SetAsync("organiser@example.org", [new CriterionDraft("Evidence", "", 3), new CriterionDraft("Budget ask", "", 1)]);
        var room = await RoomWithPitchAsync(grains, slug);

        await room.ControlAsync("m", "kampala", PitchControl.StartPitch, 10);
        await room.ControlAsync("m", "kampala", PitchControl.OpenScoring, 0);
        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => rubric.SetAsync("organiser@example.org", [new CriterionDraft("Only this", "", 1)]));

        Assert.Equal(Problem.RubricLocked, refused.Problem);
        Assert.Equal(["Evidence", "Budget ask"], (await rubric.GetAsync()).Criteria.Select(c => c.Name));
        Assert.Equal([3, 1], (await room.GetAsync()).Pitches.Single().Rubric.Select(c => c.Weight));
    }

    [Fact]
    public async Task Scores_are_refused_before_scoring_opens_and_after_it_closes_and_a_changed_score_counts_once()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (grains, slug) = await StartAsync(db);
        var room = await RoomWithPitchAsync(grains, slug);

        var early = await Assert.ThrowsAsync<ValidationFailedException>(() => room.SaveScorecardAsync(Investor, "kampala", AllScores(4), null));
        await room.ControlAsync("m", "kampala", PitchControl.StartPitch, 10);
        await room.ControlAsync("m", "kampala", PitchControl.StartQuestions, 0);
        await room.ControlAsync("m", "kampala", PitchControl.OpenScoring, 0);
        var incomplete = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            room.SaveScorecardAsync(Investor, "kampala", AllScores(4) with { Scores = new Dictionary<string, int> { ["c1"] = 4 } }, null));
        await room.SaveScorecardAsync(Investor, "kampala", AllScores(2), null);
        await room.SaveScorecardAsync(Investor, "kampala", AllScores(5), null);
        await room.ControlAsync("m", "kampala", PitchControl.CloseScoring, 0);
        var late = await Assert.ThrowsAsync<ValidationFailedException>(() => room.SaveScorecardAsync(Investor, "kampala", AllScores(1), null));

        Assert.Equal(Problem.ScoringNotOpen, early.Problem);
        Assert.Equal(Problem.ScoreMissing, incomplete.Problem);
        Assert.Equal(Problem.ScoringClosed, late.Problem);
        var feedback = await room.GetFeedbackAsync("kampala");
        Assert.Equal(1, feedback.Summary.Scorecards);
        Assert.All(feedback.Summary.Criteria, c => Assert.Equal(5, c.Mean));
    }

    [Fact]
    public async Task A_declared_conflict_leaves_every_aggregate_and_a_resent_scorecard_is_saved_once()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (grains, slug) = await StartAsync(db);
        var room = await RoomWithPitchAsync(grains, slug);
        await room.ControlAsync("m", "kampala", PitchControl.StartPitch, 10);
        await room.ControlAsync("m", "kampala", PitchControl.OpenScoring, 0);

        await room.SaveScorecardAsync("a@fund.example.org", "kampala", AllScores(4, "Clear ask"), "key-1");
        await room.SaveScorecardAsync("b@fund.example.org", "kampala", AllScores(1, "My brother runs this"), null);
        await room.SaveScorecardAsync("b@fund.example.org", "kampala", AllScores(1, "My brother runs this", conflict: true), null);
        var resent = await room.SaveScorecardAsync("a@fund.example.org", "kampala", AllScores(4, "Clear ask"), "key-1");
        // Other content under a used key is refused, not silently dropped (issue 15, item 6).
        var reused = await Assert.ThrowsAsync<ValidationFailedException>(() => room.SaveScorecardAsync("a@fund.example.org", "kampala", AllScores(2, "changed meanwhile"), "key-1"));

        Assert.Equal("Clear ask", resent.Comment);
        Assert.Equal(Problem.IdempotencyKeyReused, reused.Problem);
        var summary = (await room.GetFeedbackAsync("kampala")).Summary;
        Assert.Equal(1, summary.Scorecards);
        Assert.Equal(4, summary.WeightedTotal);
        Assert.Equal(["Clear ask"], summary.Comments);
    }

    [Fact]
    public async Task A_follow_up_request_is_made_once_and_only_the_team_can_accept_it()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (grains, slug) = await StartAsync(db);
        var room = await RoomWithPitchAsync(grains, slug);
        await room.ControlAsync("m", "kampala", PitchControl.StartPitch, 10);
        await room.ControlAsync("m", "kampala", PitchControl.OpenScoring, 0);
        await room.SaveScorecardAsync(Investor, "kampala", AllScores(4, interest: Interest.FollowUp), null);
        await room.SaveScorecardAsync(Investor, "kampala", AllScores(5, interest: Interest.FollowUp), null);
        var followUps = grains.GetGrain<IFollowUpsGrain>(slug);
        var request = (await followUps.ListAsync()).Single();

        var byInvestor = await Assert.ThrowsAsync<ValidationFailedException>(() => followUps.UpdateAsync(Investor, FollowUpParty.Investor, request.Id, FollowUpStatus.Accepted));
        Assert.False(request.ContactsExchanged);
        await followUps.UpdateAsync("team@kampala.example.org", FollowUpParty.Team, request.Id, FollowUpStatus.Accepted);
        var held = await followUps.UpdateAsync(Investor, FollowUpParty.Investor, request.Id, FollowUpStatus.MeetingHeld);

        Assert.Equal(Problem.FollowUpStatusNotAllowed, byInvestor.Problem);
        Assert.Equal(FollowUpStatus.MeetingHeld, held.Status);
        Assert.True(held.ContactsExchanged);
        Assert.Equal([FollowUpStatus.Requested, FollowUpStatus.Accepted, FollowUpStatus.MeetingHeld], held.History.Select(h => h.Status));
    }

    [Fact]
    public async Task Changing_from_follow_up_to_interested_withdraws_an_unanswered_request_but_not_an_accepted_one()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (grains, slug) = await StartAsync(db);
        var room = await RoomWithPitchAsync(grains, slug);
        await room.ControlAsync("m", "kampala", PitchControl.StartPitch, 10);
        await room.ControlAsync("m", "kampala", PitchControl.OpenScoring, 0);
        var followUps = grains.GetGrain<IFollowUpsGrain>(slug);

        await room.SaveScorecardAsync(Investor, "kampala", AllScores(4, interest: Interest.FollowUp), null);
        await room.SaveScorecardAsync(Investor, "kampala", AllScores(4, interest: Interest.Interested), null);
        Assert.Empty(await followUps.ListAsync());

        await room.SaveScorecardAsync(Investor, "kampala", AllScores(4, interest: Interest.FollowUp), null);
        var request = (await followUps.ListAsync()).Single();
        await followUps.UpdateAsync("team@kampala.example.org", FollowUpParty.Team, request.Id, FollowUpStatus.Accepted);
        await room.SaveScorecardAsync(Investor, "kampala", AllScores(4, interest: Interest.Pass), null);

        Assert.Equal(FollowUpStatus.Accepted, (await followUps.ListAsync()).Single().Status);
    }
}
