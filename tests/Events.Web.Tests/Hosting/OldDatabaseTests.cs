using System.Net;
using Events.Grains.Questions;

namespace Events.Web.Tests.Hosting;

// Fixtures/events-before-orleans.db was written by the last build on the home-made grain runtime
// (its manifest, events-before-orleans.md, says how and lists what is in it). The Orleans build must
// open it and show the same event, people, questions, votes and scores.
public sealed class OldDatabaseTests
{
    private const string Slug = "city-pilots-pitch-day";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string CopyFixture()
    {
        var folder = EventsHost.NewDataFolder();
        Directory.CreateDirectory(folder);
        // Opened from a copy: SQLite in WAL mode writes beside the file it opens.
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "events-before-orleans.db"), Path.Combine(folder, "events.db"));
        return folder;
    }

    [Fact]
    public async Task A_database_from_before_orleans_shows_the_same_questions_votes_scores_and_people()
    {
        var folder = CopyFixture();
        try
        {
            await using var host = new EventsHost(folder);
            using var anonymous = new TestBrowser(host);

            var agenda = await anonymous.GetPageAsync($"/events/{Slug}");
            Assert.Contains("City Pilots Pitch Day", agenda);
            Assert.Contains("Pitch room B starts <strong>15 minutes late</strong>", agenda);
            Assert.Contains("Closing panel: from pilot to partnership", agenda);

            var board = await host.Grains.GetGrain<IQuestionBoardGrain>($"{Slug}/s4").GetAsync(null, moderator: true);
            Assert.Equal(
                [("q1", 2), ("q2", 1), ("q3", 0)],
                board.Questions.OrderBy(q => q.Id).Select(q => (q.Id, q.Votes)));
            Assert.Equal(8, board.Version);
            Assert.Contains("How will the Kampala route map stay up to date once the pilot funding ends?", board.Questions[0].Text);

            using var organiser = new TestBrowser(host);
            await organiser.SignInAsync("organiser@example.org");
            var people = await organiser.GetPageAsync($"/events/{Slug}/people");
            Assert.Contains("investor@example.org", people);
            Assert.Contains("joseph.okello@kampala.example.org", people);
            Assert.Contains("attendee@example.org", people);

            using var scores = await organiser.GetAsync($"/events/{Slug}/scores.csv");
            Assert.Equal(HttpStatusCode.OK, scores.StatusCode);
            var csv = await scores.Content.ReadAsStringAsync(Ct);
            Assert.Contains("\"Kampala\",\"investor@example.org\",no,interested,4,5,3,4,2,\"Strong evidence of use; show how the drivers' associations keep the map current.\"", csv);

            // The old journal goes on: the next vote is the board's event 9.
            using var attendee = new TestBrowser(host);
            await attendee.SignInAsync("attendee@example.org");
            await attendee.GetPageAsync($"/events/{Slug}/qa/s4");
            using var voted = await attendee.PostFormAsync($"/events/{Slug}/qa/s4/questions/q3/vote", ("up", "true"));
            Assert.Equal(HttpStatusCode.Found, voted.StatusCode);
            var after = await host.Grains.GetGrain<IQuestionBoardGrain>($"{Slug}/s4").GetAsync(null, moderator: true);
            Assert.Equal(9, after.Version);
            Assert.Equal(1, after.Questions.Single(q => q.Id == "q3").Votes);
        }
        finally
        {
            EventsHost.DeleteDataFolder(folder);
        }
    }
}
