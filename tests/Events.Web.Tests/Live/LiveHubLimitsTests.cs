using Events.Silo;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Events.Web.Tests.Live;

// What one connection may cost the server: topics it follows, and what its refused calls write to the log.
// The class's tests share one server and its log, one test after another: a test reads only the
// log lines written after its own connection opened.
public sealed class LiveHubLimitsTests(LiveHubLimitsTests.LoggedHost shared) : IClassFixture<LiveHubLimitsTests.LoggedHost>
{
    private const string Slug = DemoEvent.Slug;

    private readonly LogCapture _log = shared.Log;
    private readonly EventsHost _host = shared.Host;

    public sealed class LoggedHost : SharedHost
    {
        public LoggedHost()
            : this(new LogCapture())
        {
        }

        private LoggedHost(LogCapture log)
            : base(new Dictionary<string, string>(), services => services.AddSingleton<ILoggerProvider>(log))
        {
            Log = log;
        }

        public LogCapture Log { get; }
    }

    private static object[] Topics(IEnumerable<string> topics) => [topics.Select(topic => new { topic, after = 0 }).ToArray()];

    [Fact]
    public async Task A_connection_follows_at_most_twenty_topics_in_all_whatever_the_number_of_calls()
    {
        await using var client = await LiveClient.ConnectAsync(_host);
        await client.InvokeAsync("Subscribe", Topics(Enumerable.Range(0, 15).Select(i => $"qa:{Slug}/s{i}")));

        // The same topics again (a page after a reconnect) are fine; five more are not.
        await client.InvokeAsync("Subscribe", Topics(Enumerable.Range(0, 15).Select(i => $"qa:{Slug}/s{i}")));
        await client.InvokeAsync("Subscribe", Topics(Enumerable.Range(15, 5).Select(i => $"qa:{Slug}/s{i}")));
        var refused = await Assert.ThrowsAsync<HubException>(() => client.InvokeAsync("Subscribe", Topics([$"qa:{Slug}/s20"])));

        Assert.Contains("Follow between 1 and 20 topics per connection", refused.Message);
    }

    [Fact]
    public async Task A_topic_of_an_event_that_does_not_exist_is_refused()
    {
        await using var client = await LiveClient.ConnectAsync(_host);

        var refused = await Assert.ThrowsAsync<HubException>(() => client.InvokeAsync("Subscribe", Topics([$"announcements:no-such-event-{Guid.NewGuid():N}"])));

        Assert.Contains("There is no live topic 'announcements:no-such-event-", refused.Message);
    }

    [Fact]
    public async Task A_refused_hub_call_is_logged_as_information_without_a_stack_trace()
    {
        await using var client = await LiveClient.ConnectAsync(_host);
        var before = _log.Entries.Count;

        await Assert.ThrowsAsync<HubException>(() => client.InvokeAsync("Subscribe", Topics(["scores:secret"])));
        await Assert.ThrowsAsync<HubException>(() => client.InvokeAsync("PostAnnouncement", Slug, "Not a moderator", null, Guid.NewGuid().ToString("N")));

        var written = _log.Entries.Skip(before).ToList();
        Assert.DoesNotContain(written, e => e.Level >= LogLevel.Warning || e.Exception is not null);
        Assert.Contains(written, e => e.Level == LogLevel.Information && e.Message.Contains("There is no live topic 'scores:secret'", StringComparison.Ordinal));
    }
}

public sealed class LiveConnectionCapTests : IAsyncDisposable
{
    private readonly EventsHost _host = new(settings: new Dictionary<string, string> { ["Live:MaxConnections"] = "2" });

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Beyond_the_configured_cap_a_new_connection_is_refused_with_503_and_those_in_keep_working()
    {
        await using var first = await LiveClient.ConnectAsync(_host);
        await using var second = await LiveClient.ConnectAsync(_host);

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => LiveClient.ConnectAsync(_host));
        using var http = _host.CreateHttpClient();
        using var negotiate = await http.PostAsync($"{Web.Live.LiveHub.Path}/negotiate?negotiateVersion=1", null, TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, negotiate.StatusCode);
        Assert.NotNull(negotiate.Headers.RetryAfter);
        var followed = await first.InvokeAsync("Subscribe", new object[] { new[] { new { topic = $"announcements:{Events.Silo.DemoEvent.Slug}", after = 0 } } });
        Assert.Equal(System.Text.Json.JsonValueKind.Array, followed.ValueKind);

        await second.DisposeAsync();
        await Eventually.UntilAsync("a third connection accepted once the second has left", async () =>
        {
            try
            {
                await using var third = await LiveClient.ConnectAsync(_host);
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        });
    }

    [Theory]
    [InlineData(1024, 768)]
    [InlineData(65536, 49152)]
    [InlineData(100, 16)]
    public void The_default_cap_leaves_a_quarter_of_the_open_file_limit_and_at_least_256_descriptors(long openFiles, int cap) =>
        Assert.Equal(cap, Web.Live.LiveLimits.DefaultMaxConnections(openFiles));
}
