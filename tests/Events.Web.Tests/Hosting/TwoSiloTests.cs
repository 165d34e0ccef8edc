using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Events.Grains.Questions;
using Events.Silo;
using Events.Web.Questions;
using Microsoft.AspNetCore.SignalR;

namespace Events.Web.Tests.Hosting;

// Two real Events.Silo processes on one PostgreSQL database (a fresh schema per cluster), one Orleans
// cluster, reached by people who go to either silo as a load balancer would send them. Each test
// asserts what a person would notice; waits have deadlines, nothing is timed.
// Starting a pair costs more than most of these tests, so the tests that neither stop a silo nor
// need an empty database or machines of their own share one pair (SharedPair), each on a question
// board (a session of the demo agenda) no other test writes to, with people of its own.
public sealed partial class TwoSiloTests(TwoSiloTests.SharedPair shared) : IClassFixture<TwoSiloTests.SharedPair>, IAsyncDisposable
{
    private const string Slug = DemoEvent.Slug;
    private static readonly TimeSpan Wait = Eventually.DefaultTimeout;

    // Orleans declares a killed silo dead after ~7 s with its default membership settings (which
    // Events does not change); the calls in flight to it fail meanwhile. Far longer here, because
    // on a loaded machine the survivor's probes and restarts are slow too; only a failure waits it.
    private static readonly TimeSpan FailoverDeadline = TimeSpan.FromMinutes(3);

    private readonly List<SiloCluster> _clusters = [];
    private bool _usedShared;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Disposed after the test, when its outcome is known: a failed test keeps the silos' logs.
    public async ValueTask DisposeAsync()
    {
        if (_usedShared)
        {
            await shared.KeepLogsIfFailedAsync();
        }

        foreach (var cluster in _clusters)
        {
            await cluster.DisposeAsync();
        }
    }

    // A cluster of the test's own, for a test that stops or kills a silo or starts its own.
    private async Task<SiloCluster> ClusterAsync()
    {
        var cluster = await SiloCluster.CreateAsync();
        _clusters.Add(cluster);
        return cluster;
    }

    // The class's pair, started by the first test that asks.
    private async Task<(SiloCluster Cluster, ClusterSilo A, ClusterSilo B)> SharedPairAsync()
    {
        _usedShared = true;
        return await shared.StartedAsync();
    }

    public sealed class SharedPair : IAsyncDisposable
    {
        private readonly SemaphoreSlim _starting = new(1, 1);
        private (SiloCluster Cluster, ClusterSilo A, ClusterSilo B)? _pair;

        public async Task<(SiloCluster Cluster, ClusterSilo A, ClusterSilo B)> StartedAsync()
        {
            await _starting.WaitAsync(Ct);
            try
            {
                if (_pair is null)
                {
                    var cluster = await SiloCluster.CreateAsync();
                    try
                    {
                        // A first, made to sign a form (which makes the installation's data-protection
                        // key), then B, which reads that key instead of making its own. Once, on a
                        // pair started at the same instant on an empty database, each silo had made
                        // a key, and minutes later silo A refused forms from B's pages as expired
                        // (the twenty writers; probably because ASP.NET Core re-reads the key ring
                        // for an unknown key only soon after start). Starting at the same instant keeps its own
                        // test, on a cluster of its own.
                        var a = (await cluster.StartAsync(1))[0];
                        await cluster.NewBrowser().GetPageAsync(a, "/signin");
                        var b = (await cluster.StartAsync(1))[0];
                        _pair = (cluster, a, b);
                    }
                    catch
                    {
                        await cluster.DisposeAsync();
                        throw;
                    }
                }

                Assert.True(_pair.Value.A.IsRunning && _pair.Value.B.IsRunning, "A silo of the shared pair has exited.");
                return _pair.Value;
            }
            finally
            {
                _starting.Release();
            }
        }

        public Task KeepLogsIfFailedAsync() => _pair?.Cluster.KeepLogsIfFailedAsync() ?? Task.CompletedTask;

        public async ValueTask DisposeAsync()
        {
            if (_pair is { } pair)
            {
                await pair.Cluster.DisposeAsync();
            }

            _starting.Dispose();
        }
    }

    [Fact]
    public async Task Two_hundred_people_upvoting_one_question_at_once_through_both_silos_are_all_counted_and_still_are_after_one_crashes_and_both_restart()
    {
        const int voters = 200;
        var cluster = await ClusterAsync();
        var (a, b) = await cluster.StartPairAsync();
        var organiser = await OrganiserAsync(cluster, a);
        var session = (await SessionsAsync(organiser, a))[0];
        var path = BoardPage.Path(session);
        var people = await PeopleAsync(cluster, organiser, a, "Attendee", voters, [a, b]);
        await organiser.GetPageAsync(b, path);
        var question = await AskAsync(organiser, b, session, "Who pays for the servers after the pilot?", "popular");
        var through = people.Select((_, i) => i % 2 == 0 ? a : b).ToArray();
        await ForEachAsync(people, 16, (person, i) => person.GetPageAsync(through[i], path));

        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var votes = people.Select((person, i) => Task.Run(
            async () =>
            {
                await go.Task;
                using var response = await person.PostFormAsync(through[i], $"{path}/questions/{question}/vote", ("up", "true"));
                return await OutcomeAsync("vote", through[i], response);
            },
            Ct)).ToArray();
        go.SetResult();
        var outcomes = await Task.WhenAll(votes);
        cluster.Note($"{voters} votes answered");

        var acknowledged = outcomes.Count(o => o.Status == HttpStatusCode.Found && o.Location == $"{path}#{question}");
        Assert.True(acknowledged == voters, $"{voters - acknowledged} of {voters} votes were not acknowledged:\n{Describe(outcomes.Where(o => o.Status != HttpStatusCode.Found))}");
        var reader = cluster.NewBrowser();
        Assert.Equal(acknowledged, (await BoardAsync(reader, a, session)).Find(question)!.Votes);
        Assert.Equal(acknowledged, (await BoardAsync(reader, b, session)).Find(question)!.Votes);

        // One silo crashes (kill -9), the other is stopped with Ctrl+C; both come back on their ports.
        b.Kill();
        Assert.Equal(0, await a.StopAsync());
        var restarted = await cluster.RestartAsync(a, b);
        var (a2, b2) = (restarted[0], restarted[1]);

        Assert.Equal(acknowledged, (await BoardAsync(reader, a2, session)).Find(question)!.Votes);
        Assert.Equal(acknowledged, (await BoardAsync(reader, b2, session)).Find(question)!.Votes);
        Assert.True((await BoardAsync(people[1], a2, session)).Find(question)!.VotedByMe);
        Assert.True((await BoardAsync(people[2], b2, session)).Find(question)!.VotedByMe);
    }

    [Fact]
    public async Task A_websocket_on_one_silo_receives_a_question_asked_through_the_other_with_the_next_sequence_number()
    {
        var (cluster, a, b) = await SharedPairAsync();
        var organiser = await OrganiserAsync(cluster, b);
        var session = (await SessionsAsync(organiser, b))[1];
        var topic = $"qa:{Slug}/{session}";
        var watcher = cluster.NewBrowser();
        var shown = await BoardAsync(watcher, a, session);
        await using var socket = await watcher.ConnectHubAsync(a);
        var caughtUp = await socket.SubscribeAsync(topic, shown.Sequence);
        Assert.False(caughtUp[0].GetProperty("reload").GetBoolean());
        Assert.Equal(0, caughtUp[0].GetProperty("deltas").GetArrayLength());

        await organiser.GetPageAsync(b, BoardPage.Path(session));
        var question = await AskAsync(organiser, b, session, "Can Matola reuse the land register code?", "ws-1");
        cluster.Note("asked through B");
        var asked = await socket.NextDeltaAsync(Wait, d => d.GetProperty("t").GetString() == topic);
        cluster.Note("the question's delta reached A's socket");
        using var voted = await organiser.PostFormAsync(b, $"{BoardPage.Path(session)}/questions/{question}/vote", ("up", "true"));
        Assert.Equal(HttpStatusCode.Found, voted.StatusCode);
        var count = await socket.NextDeltaAsync(Wait, d => d.GetProperty("t").GetString() == topic && d.GetProperty("k").GetString() == QuestionsTopic.VotesKind);

        Assert.Equal(QuestionsTopic.Kind, asked.GetProperty("k").GetString());
        Assert.Equal(shown.Sequence + 1, asked.GetProperty("s").GetInt64());
        Assert.Equal(shown.Sequence + 2, count.GetProperty("s").GetInt64());
        Assert.Equal(1, count.GetProperty("d").GetProperty(question).GetInt32());
        Assert.Equal("Can Matola reuse the land register code?", (await BoardAsync(watcher, a, session)).Find(question)!.Text);
    }

    [Fact]
    public async Task After_kill_9_of_the_silo_holding_a_board_the_survivor_shows_every_acknowledged_write_and_takes_new_ones()
    {
        var cluster = await ClusterAsync();
        var (a, b) = await cluster.StartPairAsync();
        var organiser = await OrganiserAsync(cluster, a);
        var sessions = await SessionsAsync(organiser, a);
        var people = await PeopleAsync(cluster, organiser, a, "Attendee", 2, [a, b]);
        var asked = new List<(string Session, string Id, string Text)>();
        var votes = new Dictionary<string, int>();
        for (var s = 0; s < sessions.Count; s++)
        {
            for (var j = 0; j < 4; j++)
            {
                var person = people[j % 2];
                var silo = (s + j) % 2 == 0 ? a : b;
                var text = $"Question {j} on board {s}: how many households use it?";
                await person.GetPageAsync(silo, BoardPage.Path(sessions[s]));
                asked.Add((sessions[s], await AskAsync(person, silo, sessions[s], text, $"kill-{s}-{j}"), text));
            }

            // The other person upvotes the first question, through the other silo.
            var first = asked.First(q => q.Session == sessions[s]).Id;
            var voteThrough = s % 2 == 0 ? b : a;
            await people[1].GetPageAsync(voteThrough, BoardPage.Path(sessions[s]));
            using var voted = await people[1].PostFormAsync(voteThrough, $"{BoardPage.Path(sessions[s])}/questions/{first}/vote", ("up", "true"));
            Assert.Equal(HttpStatusCode.Found, voted.StatusCode);
            votes[first] = 1;
        }

        var victim = await cluster.HostOfAsync<IQuestionBoardGrain>($"{Slug}/{sessions[0]}")
            ?? throw new InvalidOperationException("The first board has no activation.");
        var survivor = victim == a ? b : a;
        victim.Kill();
        cluster.Note($"killed {victim}, the host of the first board");

        var reader = cluster.NewBrowser();
        foreach (var session in sessions)
        {
            var expected = asked.Where(q => q.Session == session).ToList();
            var page = await EventuallyAsync(
                $"the board of {session} on the survivor {survivor} after {victim} was killed",
                async token =>
                {
                    using var response = await reader.GetWithin(survivor, BoardPage.Path(session), token);
                    return response.StatusCode == HttpStatusCode.OK ? BoardPage.Parse(await response.Content.ReadAsStringAsync(token)) : null;
                });

            Assert.Equal(expected.Select(q => (q.Id, q.Text)).Order(), page.Questions.Select(q => (q.Id, q.Text)).Order());
            Assert.All(page.Questions, q => Assert.Equal(votes.GetValueOrDefault(q.Id), q.Votes));
        }

        cluster.Note($"every board read back on {survivor}");

        // New writes work on the survivor: one ask (resent with the same key until acknowledged)
        // and one vote on it, on the board whose grain lived on the killed silo.
        var path = BoardPage.Path(sessions[0]);
        var latest = await EventuallyAsync(
            $"a new question on the survivor {survivor}",
            async token =>
            {
                using var response = await people[0].PostFormWithin(survivor, $"{path}/questions", [("text", "Asked after the crash"), ("idempotencyKey", "after-crash")], token);
                return response.StatusCode == HttpStatusCode.Found ? response.Headers.Location!.OriginalString.Split('#')[1] : null;
            });
        await people[1].GetPageAsync(survivor, path);
        using var voteAfter = await people[1].PostFormAsync(survivor, $"{path}/questions/{latest}/vote", ("up", "true"));
        Assert.Equal(HttpStatusCode.Found, voteAfter.StatusCode);

        var final = await BoardAsync(reader, survivor, sessions[0]);
        Assert.Equal(1, final.Questions.Count(q => q.Text == "Asked after the crash"));
        Assert.Equal(1, final.Find(latest)!.Votes);
        Assert.Equal(5, final.Questions.Count);
    }

    [Fact]
    public async Task A_role_revoked_through_one_silo_is_refused_at_once_on_the_other_in_pages_and_on_an_open_websocket()
    {
        var (cluster, a, b) = await SharedPairAsync();
        var organiser = await OrganiserAsync(cluster, a);
        var session = (await SessionsAsync(organiser, a))[2];
        var path = BoardPage.Path(session);
        var person = (await PeopleAsync(cluster, organiser, a, "Attendee", 1, [b]))[0];

        Assert.True((await BoardAsync(person, b, session)).CanAsk);
        using var before = await person.PostFormAsync(b, $"{path}/questions", ("text", "Asked before the revocation"), ("idempotencyKey", "before"));
        Assert.Equal(HttpStatusCode.Found, before.StatusCode);
        await using var socket = await person.ConnectHubAsync(b);
        await socket.InvokeAsync("AskQuestion", Slug, session, "Asked through the hub before the revocation", false, "hub-before");

        await organiser.GetPageAsync(a, $"/events/{Slug}/people");
        using var revoked = await organiser.PostFormAsync(a, $"/events/{Slug}/members/revoke", ("email", person.Email!), ("role", "Attendee"));
        Assert.Equal(HttpStatusCode.Found, revoked.StatusCode);

        var page = await BoardAsync(person, b, session);
        using var viaForm = await person.PostFormAsync(b, $"{path}/questions", ("text", "Asked after the revocation"), ("idempotencyKey", "after"));
        using var cards = await person.GetAsync(b, $"/events/{Slug}/pitches");
        var viaHub = await Assert.ThrowsAsync<HubException>(() => socket.InvokeAsync("AskQuestion", Slug, session, "Asked through the hub after the revocation", false, "hub-after"));

        Assert.False(page.CanAsk);
        Assert.Equal(HttpStatusCode.Forbidden, viaForm.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, cards.StatusCode);
        Assert.Contains("unauthorized", viaHub.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(
            ["Asked before the revocation", "Asked through the hub before the revocation"],
            (await BoardAsync(organiser, b, session)).Questions.Select(q => q.Text).Order());
    }

    [Fact]
    public async Task A_question_asked_through_one_silo_is_on_the_other_silos_page_at_once_and_can_be_voted_on_there()
    {
        var (cluster, a, b) = await SharedPairAsync();
        var organiser = await OrganiserAsync(cluster, a);
        var session = (await SessionsAsync(organiser, a))[3];
        var path = BoardPage.Path(session);
        var people = await PeopleAsync(cluster, organiser, a, "Attendee", 2, [a, b]);
        var (asker, voter) = (people[0], people[1]);

        await asker.GetPageAsync(a, path);
        var question = await AskAsync(asker, a, session, "Does the e-tax receipt work on a basic phone?", "at-once");
        var onB = await BoardAsync(voter, b, session);
        using var voted = await voter.PostFormAsync(b, $"{path}/questions/{question}/vote", ("up", "true"));

        Assert.Equal("Does the e-tax receipt work on a basic phone?", onB.Find(question)?.Text);
        Assert.Equal(HttpStatusCode.Found, voted.StatusCode);
        Assert.Equal((1, true), (await BoardAsync(voter, b, session)).Find(question) is { } seenByVoter ? (seenByVoter.Votes, seenByVoter.VotedByMe) : default);
        Assert.Equal(1, (await BoardAsync(asker, a, session)).Find(question)!.Votes);
    }

    [Fact]
    public async Task Twenty_people_writing_to_one_board_through_both_silos_get_no_errors_and_every_acknowledged_write_stays()
    {
        const int writers = 20;
        const int maxQuestionsEach = 4;
        var (cluster, a, b) = await SharedPairAsync();
        var organiser = await OrganiserAsync(cluster, a);
        var session = (await SessionsAsync(organiser, a))[4];
        var path = BoardPage.Path(session);
        var people = await PeopleAsync(cluster, organiser, a, "Attendee", writers, [a, b]);
        await ForEachAsync(people, 8, (person, i) => person.GetPageAsync(i % 2 == 0 ? a : b, path));

        var outcomes = new ConcurrentQueue<Outcome>();
        var questions = new ConcurrentDictionary<string, string>();
        var upvotes = new ConcurrentDictionary<string, int>();
        var until = DateTime.UtcNow.AddSeconds(15);
        cluster.Note("writers start");
        await Task.WhenAll(people.Select((person, i) => Task.Run(
            async () =>
            {
                var random = new Random(i);
                var mine = 0;
                var votedFor = new HashSet<string>();
                // At least a dozen requests each (two questions, several votes) however slow the
                // machine, then on until the time is up or sixty are done.
                for (var k = 0; k < 60 && (k < 12 || DateTime.UtcNow < until); k++)
                {
                    var silo = (i + k) % 2 == 0 ? a : b;
                    var candidates = questions.Keys.Where(id => !votedFor.Contains(id)).ToList();
                    if (k % 6 == 0 && mine < maxQuestionsEach)
                    {
                        var text = $"Writer {i} asks question {mine}";
                        using var response = await person.PostFormAsync(silo, $"{path}/questions", ("text", text), ("idempotencyKey", $"w{i}-q{mine}"));
                        var outcome = await OutcomeAsync("ask", silo, response);
                        outcomes.Enqueue(outcome);
                        mine++;
                        if (outcome.Status == HttpStatusCode.Found)
                        {
                            questions[outcome.Location!.Split('#')[1]] = text;
                        }
                    }
                    else if (k % 3 == 1 || candidates.Count == 0)
                    {
                        using var response = await person.GetAsync(silo, path);
                        outcomes.Enqueue(await OutcomeAsync("read", silo, response));
                    }
                    else
                    {
                        var id = candidates[random.Next(candidates.Count)];
                        using var response = await person.PostFormAsync(silo, $"{path}/questions/{id}/vote", ("up", "true"));
                        var outcome = await OutcomeAsync("vote", silo, response);
                        outcomes.Enqueue(outcome);
                        if (outcome.Status == HttpStatusCode.Found)
                        {
                            votedFor.Add(id);
                            upvotes.AddOrUpdate(id, 1, (_, n) => n + 1);
                        }
                    }
                }
            },
            Ct)));

        cluster.Note($"writers done: {outcomes.Count} requests, {questions.Count} questions, {upvotes.Values.Sum()} votes");
        var failed = outcomes.Where(o => o.Status is not (HttpStatusCode.Found or HttpStatusCode.OK)
            || o.Body.Contains("GrainConcurrencyException", StringComparison.Ordinal)
            || o.Body.Contains("JournalConflictException", StringComparison.Ordinal)).ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} of {outcomes.Count} requests failed:\n{Describe(failed)}");
        Assert.True(questions.Count >= writers, $"Only {questions.Count} questions were asked.");
        Assert.True(upvotes.Values.Sum() >= writers, $"Only {upvotes.Values.Sum()} votes were cast.");
        var reader = cluster.NewBrowser();
        foreach (var silo in new[] { a, b })
        {
            var page = await BoardAsync(reader, silo, session);
            Assert.Equal(questions.OrderBy(q => q.Key, StringComparer.Ordinal).Select(q => (q.Key, q.Value)), page.Questions.OrderBy(q => q.Id, StringComparer.Ordinal).Select(q => (q.Id, q.Text)));
            Assert.All(page.Questions, q => Assert.True(upvotes.GetValueOrDefault(q.Id) == q.Votes, $"{q.Id} shows {q.Votes} votes on {silo}, {upvotes.GetValueOrDefault(q.Id)} were acknowledged."));
        }
    }

    [Fact]
    public async Task Two_silos_started_at_the_same_instant_on_an_empty_database_both_start_and_seed_the_demo_event_once()
    {
        var cluster = await ClusterAsync();
        var silos = await cluster.StartAsync(2);
        foreach (var silo in silos)
        {
            var said = silo.Process.Output;
            cluster.Note($"{silo}: {(said.Contains("Seeded the demo event", StringComparison.Ordinal) ? "seeded" : said.Contains("is seeded already", StringComparison.Ordinal) ? "found it seeded by the other" : "said nothing of the seeding")}");
        }

        var organiser = await OrganiserAsync(cluster, silos[0]);

        foreach (var silo in silos)
        {
            var catalog = await organiser.GetPageAsync(silo, "/");
            Assert.Single(Regex.Matches(catalog, $"<li>\\s*<a href=\"/events/{Slug}\">"));

            var agenda = await organiser.GetPageAsync(silo, $"/events/{Slug}");
            Assert.Equal(
                [
                    "Welcome: what the cities built, and what comes after",
                    "Global Mixer: four pilots in thirty minutes",
                    "Pitch room A: mobility and city services",
                    "Pitch room B: revenue and land",
                    "Closing panel: from pilot to partnership",
                ],
                SessionTitle().Matches(agenda).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)));

            var cards = await organiser.GetPageAsync(silo, $"/events/{Slug}/pitches");
            Assert.Equal(
                ["Bizerte version 1", "Kampala version 1", "Kumasi version 1", "Sèmè-Podji version 1"],
                CardLine().Matches(cards).Select(m => $"{WebUtility.HtmlDecode(m.Groups[1].Value)} version {m.Groups[2].Value}").Order(StringComparer.Ordinal));

            var rooms = RoomLink().Matches(agenda).Select(m => m.Groups[1].Value).Distinct().ToList();
            Assert.Equal(2, rooms.Count);
            Assert.Equal(["Bizerte", "Kampala"], await TeamsInRoomAsync(organiser, silo, rooms[0]));
            Assert.Equal(["Kumasi", "Sèmè-Podji"], await TeamsInRoomAsync(organiser, silo, rooms[1]));

            var people = await organiser.GetPageAsync(silo, $"/events/{Slug}/people");
            Assert.Single(Regex.Matches(people, $"<td>{Regex.Escape(DemoEvent.OrganiserEmail)}\\s"));
        }
    }

    // Two machines each keep their own ASP.NET Core data-protection key ring unless the product
    // shares one; a separate HOME per silo gives each its own ring, as separate machines have.
    [Fact]
    public async Task A_person_signed_in_through_a_silo_on_one_machine_is_signed_in_on_a_silo_on_another_and_its_forms_are_accepted_there()
    {
        var cluster = await ClusterAsync();
        var homes = new[] { "home-a", "home-b" }.Select(h => Directory.CreateDirectory(Path.Combine(cluster.Folder, h)).FullName).ToArray();
        var started = await Task.WhenAll(homes.Select(home => cluster.StartAsync(1, new Dictionary<string, string> { ["HOME"] = home })));
        var (a, b) = (started[0][0], started[1][0]);
        var organiser = await OrganiserAsync(cluster, a);

        using var people = await organiser.GetAsync(b, $"/events/{Slug}/people");
        await organiser.GetPageAsync(a, $"/events/{Slug}/people");
        using var invited = await organiser.PostFormAsync(b, $"/events/{Slug}/invitations", ("role", "Attendee"), ("team", ""), ("validDays", "14"), ("maxUses", "1"));

        Assert.Equal(HttpStatusCode.OK, people.StatusCode);
        Assert.Equal(HttpStatusCode.Found, invited.StatusCode);
    }

    private static async Task<string[]> TeamsInRoomAsync(ClusterBrowser browser, ClusterSilo silo, string room) =>
        [.. RoomTeam().Matches(await browser.GetPageAsync(silo, $"/events/{Slug}/rooms/{room}")).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).Order(StringComparer.Ordinal)];

    private static async Task<ClusterBrowser> OrganiserAsync(SiloCluster cluster, ClusterSilo silo)
    {
        var organiser = cluster.NewBrowser();
        await organiser.SignInAsync(silo, DemoEvent.OrganiserEmail);
        cluster.Note("organiser signed in");
        return organiser;
    }

    // Newcomers with one role, each accepting the organiser's invitation link on the next silo in turn.
    private static async Task<ClusterBrowser[]> PeopleAsync(SiloCluster cluster, ClusterBrowser organiser, ClusterSilo inviteThrough, string role, int count, ClusterSilo[] through)
    {
        await organiser.GetPageAsync(inviteThrough, $"/events/{Slug}/people");
        using var created = await organiser.PostFormAsync(inviteThrough, $"/events/{Slug}/invitations", ("role", role), ("team", ""), ("validDays", "14"), ("maxUses", count.ToString(CultureInfo.InvariantCulture)));
        Assert.Equal(HttpStatusCode.Found, created.StatusCode);
        var link = NewLink().Match(await organiser.GetPageAsync(inviteThrough, created.Headers.Location!.OriginalString));
        Assert.True(link.Success, "No invitation link on the people page.");
        var invitation = new Uri(WebUtility.HtmlDecode(link.Groups[1].Value)).AbsolutePath;

        var people = Enumerable.Range(0, count).Select(_ => cluster.NewBrowser()).ToArray();
        await ForEachAsync(people, 16, (person, i) =>
            person.AcceptInvitationAsync(through[i % through.Length], invitation, $"person{i}-{Guid.NewGuid():N}@kumasi.example.org"));
        cluster.Note($"{count} people signed up");
        return people;
    }

    // The sessions of the demo agenda, in order, as their question board links name them.
    private static async Task<IReadOnlyList<string>> SessionsAsync(ClusterBrowser browser, ClusterSilo silo) =>
        [.. BoardLink().Matches(await browser.GetPageAsync(silo, $"/events/{Slug}")).Select(m => m.Groups[1].Value).Distinct()];

    private static async Task<BoardPage> BoardAsync(ClusterBrowser browser, ClusterSilo silo, string session)
    {
        var html = await browser.GetPageAsync(silo, BoardPage.Path(session));
        return BoardPage.Parse(html);
    }

    // Asks through the no-JavaScript form (after a page of the board was fetched) and returns the question's id.
    private static async Task<string> AskAsync(ClusterBrowser browser, ClusterSilo silo, string session, string text, string key)
    {
        using var response = await browser.PostFormAsync(silo, $"{BoardPage.Path(session)}/questions", ("text", text), ("idempotencyKey", key));
        var outcome = await OutcomeAsync("ask", silo, response);
        Assert.True(outcome.Status == HttpStatusCode.Found, Describe([outcome]));
        return outcome.Location!.Split('#')[1];
    }

    private sealed record Outcome(string Action, string Silo, HttpStatusCode Status, string? Location, string Body);

    private static async Task<Outcome> OutcomeAsync(string action, ClusterSilo silo, HttpResponseMessage response) =>
        new(action, silo.Name, response.StatusCode, response.Headers.Location?.OriginalString, await response.Content.ReadAsStringAsync(Ct));

    private static string Describe(IEnumerable<Outcome> outcomes) =>
        string.Join("\n", outcomes.Take(10).Select(o => $"{o.Action} on silo {o.Silo}: {(int)o.Status} {o.Location} {Excerpt(o.Body)}"));

    // A developer exception page is long: its title line says what failed.
    private static string Excerpt(string body)
    {
        var title = Regex.Match(body, "<title>(.*?)</title>", RegexOptions.Singleline);
        var text = title.Success ? WebUtility.HtmlDecode(title.Groups[1].Value) : body;
        return text.Length > 400 ? text[..400] : text;
    }

    private static async Task ForEachAsync<T>(IReadOnlyList<T> items, int parallel, Func<T, int, Task> action)
    {
        using var gate = new SemaphoreSlim(parallel);
        await Task.WhenAll(items.Select(async (item, i) =>
        {
            await gate.WaitAsync(Ct);
            try
            {
                await action(item, i);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    // Tries until the attempt gives a value, each try cut off after a while, all within the failover deadline.
    private static async Task<T> EventuallyAsync<T>(string what, Func<CancellationToken, Task<T?>> attempt)
        where T : class
    {
        var outcome = await Eventually.UntilAsync(
            what,
            async () =>
            {
                using var oneTry = CancellationTokenSource.CreateLinkedTokenSource(Ct);
                oneTry.CancelAfter(TimeSpan.FromSeconds(15));
                try
                {
                    return (Value: await attempt(oneTry.Token), Last: "no value yet");
                }
                catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !Ct.IsCancellationRequested)
                {
                    return (Value: null, Last: ex.GetType().Name + ": " + ex.Message);
                }
            },
            tried => tried.Value is not null,
            FailoverDeadline);
        return outcome.Value!;
    }

    [GeneratedRegex("href=\"/events/city-pilots-pitch-day/qa/([^\"/?#]+)\"")]
    private static partial Regex BoardLink();

    [GeneratedRegex("href=\"/events/city-pilots-pitch-day/rooms/([^\"/?#]+)\"")]
    private static partial Regex RoomLink();

    [GeneratedRegex("<li id=\"[^\"]+\" data-status=\"[^\"]+\">.*?<h3>(.*?)</h3>", RegexOptions.Singleline)]
    private static partial Regex SessionTitle();

    [GeneratedRegex("<li><a href=\"/events/city-pilots-pitch-day/pitches/[^\"]+\">([^<]+)</a> (?:·|&#xB7;) [^<]*? (?:·|&#xB7;) version (\\d+)</li>")]
    private static partial Regex CardLine();

    [GeneratedRegex("<article class=\"pitch[^\"]*\" id=\"pitch-[^\"]+\">\\s*<h2><a href=\"[^\"]+\">([^<]+)</a></h2>")]
    private static partial Regex RoomTeam();

    [GeneratedRegex("<a href=\"([^\"]+)\" data-new-link>")]
    private static partial Regex NewLink();
}
