using System.Collections.Immutable;
using Events.Grains.Polls;

namespace Events.Grains.Tests.Polls;

public sealed class PollsGrainTests
{
    private static readonly ImmutableArray<string> Pilots = ["Kampala e-tax", "Bizerte land", "Kumasi markets", "Matola addresses", "Accra mobility"];

    private static async Task<(GrainCluster Cluster, IPollsGrain Polls)> PollsAsync(TestDatabase db)
    {
        var cluster = await db.StartClusterAsync();
        return (cluster, cluster.GetGrain<IPollsGrain>($"event-{Guid.NewGuid():N}/s3"));
    }

    private static PollAnswer Choice(params int[] options) => PollAnswer.Empty with { Choices = [.. options] };

    private static Respondent Person(int i) => new($"person{i}@example.org", $"Person {i}");

    [Fact]
    public async Task Three_hundred_people_answering_at_once_are_counted_exactly_once_each_and_a_change_moves_one_count()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (_, polls) = await PollsAsync(db);
        var poll = await polls.PrepareAsync("m@example.org", new PollDraft(PollKind.SingleChoice, "Which pilot should we follow up first?", Pilots, Anonymous: true));
        await polls.ControlAsync("m@example.org", poll.Id, PollControl.Launch);

        await Task.WhenAll(Enumerable.Range(0, 300).Select(i => polls.AnswerAsync(Person(i), poll.Id, Choice(i % 5), $"key-{i}")));
        var before = (await polls.GetAsync(null, moderator: true)).Live!.Results!;
        await polls.AnswerAsync(Person(0), poll.Id, Choice(1), "key-0-changed");
        await polls.AnswerAsync(Person(0), poll.Id, Choice(0), "key-0");
        var after = (await polls.GetAsync(null, moderator: true)).Live!.Results!;

        Assert.Equal([60, 60, 60, 60, 60], before.Counts);
        Assert.Equal([59, 61, 60, 60, 60], after.Counts);
        Assert.Equal((300, 300), (before.Respondents, after.Respondents));
    }

    [Fact]
    public async Task A_closed_poll_refuses_answers_and_only_one_poll_is_live_at_a_time()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (_, polls) = await PollsAsync(db);
        var first = await polls.PrepareAsync("m", new PollDraft(PollKind.Stars, "How ready is this pilot to scale?", [], true));
        var second = await polls.PrepareAsync("m", new PollDraft(PollKind.WordCloud, "One word for today?", [], true));
        await polls.ControlAsync("m", first.Id, PollControl.Launch);
        await polls.ControlAsync("m", second.Id, PollControl.Launch);

        var closed = await Assert.ThrowsAsync<ValidationFailedException>(() => polls.AnswerAsync(Person(1), first.Id, PollAnswer.Empty with { Rating = 4 }, "k1"));
        var outOfRange = await Assert.ThrowsAsync<ValidationFailedException>(() => polls.AnswerAsync(Person(1), second.Id, PollAnswer.Empty with { Words = ["a", "b", "c", "d"] }, "k2"));
        var view = await polls.GetAsync(null, false);

        Assert.Equal(Problem.PollClosed, closed.Problem);
        Assert.Equal(Problem.PollWords, outOfRange.Problem);
        Assert.Equal(second.Id, view.Live!.Poll.Id);
        Assert.Equal(PollStatus.Closed, view.Polls.Single(p => p.Poll.Id == first.Id).Poll.Status);
    }

    [Fact]
    public async Task Results_reach_the_audience_only_when_shown_and_names_only_reach_moderators()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (_, polls) = await PollsAsync(db);
        var poll = await polls.PrepareAsync("m", new PollDraft(PollKind.MultipleChoice, "Which themes matter to your city?", ["Mobility", "E-tax", "Land"], Anonymous: false));
        await polls.ControlAsync("m", poll.Id, PollControl.Launch);
        await polls.AnswerAsync(Person(1), poll.Id, Choice(2, 0, 2), "k");

        var hidden = (await polls.GetAsync(Person(2).Email, false)).Live!;
        await polls.ControlAsync("m", poll.Id, PollControl.ShowResults);
        var shown = (await polls.GetAsync(Person(2).Email, false)).Live!;
        var moderator = (await polls.GetAsync("m", true)).Live!;
        var mine = (await polls.GetAsync(Person(1).Email, false)).Live!;

        Assert.Null(hidden.Results);
        Assert.Equal([1, 0, 1], shown.Results!.Counts);
        Assert.Empty(shown.Answers);
        Assert.Equal([new NamedAnswer("Person 1", "Mobility, Land")], moderator.Answers);
        Assert.Equal([0, 2], mine.MyAnswer!.Choices);
    }

    [Fact]
    public async Task A_resend_of_an_older_key_does_not_undo_a_newer_answer_and_reset_keeps_it_from_coming_back()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (_, polls) = await PollsAsync(db);
        var poll = await polls.PrepareAsync("m", new PollDraft(PollKind.Ranking, "Order the pilots", ["A", "B", "C"], true));
        await polls.ControlAsync("m", poll.Id, PollControl.Launch);

        await polls.AnswerAsync(Person(1), poll.Id, Choice(0, 1, 2), "k1");
        await polls.AnswerAsync(Person(1), poll.Id, Choice(2, 1, 0), "k2");
        var resent = await polls.AnswerAsync(Person(1), poll.Id, Choice(0, 1, 2), "k1");
        var partial = await Assert.ThrowsAsync<ValidationFailedException>(() => polls.AnswerAsync(Person(2), poll.Id, Choice(0, 1), "k3"));
        var points = (await polls.GetAsync(null, true)).Live!.Results!.Counts;
        await polls.ControlAsync("m", poll.Id, PollControl.Reset);
        await polls.AnswerAsync(Person(1), poll.Id, Choice(0, 1, 2), "k2");

        Assert.Equal([2, 1, 0], resent.Choices);
        Assert.Equal(Problem.PollRankEvery, partial.Problem);
        Assert.Equal([0, 1, 2], points);
        Assert.Equal(0, (await polls.GetAsync(null, true)).Live!.Results!.Respondents);
    }

    [Fact]
    public async Task Open_text_answers_wait_for_a_moderator_before_the_audience_sees_them()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (_, polls) = await PollsAsync(db);
        var poll = await polls.PrepareAsync("m", new PollDraft(PollKind.OpenText, "What would help your city most?", [], false));
        await polls.ControlAsync("m", poll.Id, PollControl.Launch);
        await polls.ControlAsync("m", poll.Id, PollControl.ShowResults);
        await polls.AnswerAsync(Person(1), poll.Id, PollAnswer.Empty with { Text = "Shared\0 land registry" }, "k1");
        await polls.AnswerAsync(Person(2), poll.Id, PollAnswer.Empty with { Text = "Buy my product" }, "k2");

        var pending = (await polls.GetAsync(null, false)).Live!.Results!.Texts;
        var queue = (await polls.GetAsync("m", true)).Live!.Results!.Texts;
        await polls.ModerateTextAsync("m", poll.Id, queue[0].Id, approve: true);
        await polls.ModerateTextAsync("m", poll.Id, queue[1].Id, approve: false);
        var audience = (await polls.GetAsync(null, false)).Live!.Results!.Texts;

        Assert.Empty(pending);
        Assert.Equal([("Shared land registry", "Person 1"), ("Buy my product", "Person 2")], queue.Select(t => (t.Text, t.Author!)));
        Assert.Equal([("Shared land registry", (string?)null)], audience.Select(t => (t.Text, t.Author)));
    }
}
