using Events.Grains.Mail;
using Events.Grains.Pitches;
using Events.Grains.Questions;

namespace Events.Grains.Tests;

public sealed class IdempotencyKeyTests
{
    private const string Investor = "investor@fund.example.org";

    private static ScorecardInput Scores(int score, Interest interest) =>
        new(Enumerable.Range(1, 5).ToDictionary(i => $"c{i}", _ => score), "", "", interest, false);

    [Fact]
    public async Task A_resend_of_an_older_scorecard_key_answers_as_before_and_changes_nothing_and_other_scores_under_it_are_refused()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var cluster = await db.StartClusterAsync();
        var slug = $"event-{Guid.NewGuid():N}";
        await cluster.Client.GetGrain<IPitchCardsGrain>(slug).SaveAsync("t", "kampala", new PitchCardContent(
            "Kampala", "Routes", "An app", "Riders", "USD 1", "An operator", null, null, "Joseph Okello", "joseph@kampala.example.org"));
        var room = cluster.Client.GetGrain<IPitchRoomGrain>($"{slug}/s4");
        await room.AddPitchAsync("m", "kampala");
        await room.ControlAsync("m", "kampala", PitchControl.StartPitch, 10);
        await room.ControlAsync("m", "kampala", PitchControl.OpenScoring, 0);

        await room.SaveScorecardAsync(Investor, "kampala", Scores(1, Interest.FollowUp), "k1");
        await room.SaveScorecardAsync(Investor, "kampala", Scores(5, Interest.Pass), "k2");
        var resent = await room.SaveScorecardAsync(Investor, "kampala", Scores(1, Interest.FollowUp), "k1");
        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => room.SaveScorecardAsync(Investor, "kampala", Scores(3, Interest.Pass), "k1"));

        Assert.Equal(1, resent.Scores["c1"]);
        Assert.Equal(Problem.IdempotencyKeyReused, refused.Problem);
        Assert.Equal(5, (await room.GetScorecardAsync("kampala", Investor))!.Scores["c1"]);
        Assert.Empty(await cluster.Client.GetGrain<IFollowUpsGrain>(slug).ListAsync());
        Assert.Single(await cluster.Client.GetGrain<IMailOutboxGrain>(slug).PendingAsync());
    }

    [Fact]
    public async Task Question_keys_belong_to_their_author_and_every_resend_gets_the_question_it_first_made()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var cluster = await db.StartClusterAsync();
        var board = cluster.Client.GetGrain<IQuestionBoardGrain>($"event-{Guid.NewGuid():N}/s2");
        var alice = new Asker("alice@example.org", "Alice");
        var bob = new Asker("bob@example.org", "Bob");

        await board.SetPreModeratedAsync("m", true);
        var pending = await board.AskAsync(alice, "Is the map open data?", false, "k1");
        var bobs = await board.AskAsync(bob, "Who pays for the SMS?", false, "k1");
        var again = await board.AskAsync(alice, "Is the map open data?", false, "k1");
        await board.WithdrawAsync(alice.Email, pending.Id);
        var withdrawn = await board.AskAsync(alice, "Is the map open data?", false, "k1");

        Assert.NotEqual(pending.Id, bobs.Id);
        Assert.Equal(("Who pays for the SMS?", true), (bobs.Text, bobs.Mine));
        Assert.Equal((pending.Id, QuestionStatus.Pending), (again.Id, again.Status));
        Assert.Equal((pending.Id, QuestionStatus.Withdrawn), (withdrawn.Id, withdrawn.Status));
        Assert.Equal(2, (await board.ExportAsync()).Questions.Length);
    }
}
