using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Events.Grains.Announcements;
using Events.Grains.Questions;
using Events.Silo;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Web.Tests.Live;

// How pushes reach connections: in sequence order per topic, and never held up by someone else's link.
// The class's tests share one server, each on a topic no other test writes to.
public sealed class LiveDeliveryTests(LiveDeliveryTests.PatientHost shared) : IClassFixture<LiveDeliveryTests.PatientHost>
{
    private const string Slug = DemoEvent.Slug;
    private const string Announcements = "announcements:" + Slug;
    private static readonly TimeSpan Wait = Eventually.DefaultTimeout;

    private readonly EventsHost _host = shared.Host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // SignalR would drop the slow reader below after one send to it has waited 10 s, which would free
    // everyone else whether or not pushes wait for it: here it is never dropped.
    // Its connections get a small, fixed socket send buffer (accepted sockets inherit the listening
    // socket's): otherwise Linux grows it, and the kernel alone took 2,853 pushes of 500 bytes for a
    // reader that reads nothing before the server's bound came into play, so proving the bound took
    // 4,000 posts. With 4 KB the reader was sent 306 of 1,500.
    public sealed class PatientHost() : SharedHost(
        new Dictionary<string, string> { ["Live:TransportSendTimeout"] = "01:00:00" },
        services => services.Configure<SocketTransportOptions>(options => options.CreateBoundListenSocket = endpoint =>
        {
            var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
            socket.SendBufferSize = 4096;
            return socket;
        }));

    private static object[] Subscription(string topic) => [new[] { new { topic, after = 0 } }];

    [Fact]
    public async Task Coalesced_vote_counts_never_overtake_a_question_on_the_same_board_and_each_push_names_the_one_before()
    {
        var board = _host.Grains.GetGrain<IQuestionBoardGrain>($"{Slug}/s2");
        var topic = $"qa:{Slug}/s2";
        await using var client = await LiveClient.ConnectAsync(_host);
        await client.InvokeAsync("Subscribe", Subscription(topic));

        var question = await board.AskAsync(new Asker("asker@example.org", "Asker"), "Who pays for the sensors?", false, Guid.NewGuid().ToString("N"));
        for (var round = 0; round < 3; round++)
        {
            for (var voter = 0; voter < 10; voter++)
            {
                await board.VoteAsync($"voter-{round}-{voter}@example.org", question.Id, up: true);
            }

            await board.AskAsync(new Asker("asker@example.org", "Asker"), $"And in year {round + 2}?", false, Guid.NewGuid().ToString("N"));
        }

        var last = (await board.ExportAsync()).Questions.Length;
        var lastSequence = 1 + 30 + 3;
        var deltas = new List<JsonElement>();
        while (deltas.Count == 0 || deltas[^1].GetProperty("s").GetInt64() < lastSequence)
        {
            deltas.Add(await client.NextDeltaAsync(Wait));
        }

        var described = string.Join(", ", deltas.Select(d => $"{d.GetProperty("k").GetString()} {d.GetProperty("s").GetInt64()} after {(d.TryGetProperty("p", out var p) ? p.GetInt64() : -1)}"));
        for (var i = 1; i < deltas.Count; i++)
        {
            Assert.True(deltas[i].GetProperty("s").GetInt64() > deltas[i - 1].GetProperty("s").GetInt64(), described);
            Assert.True(deltas[i].TryGetProperty("p", out var previous) && previous.GetInt64() == deltas[i - 1].GetProperty("s").GetInt64(), described);
        }

        Assert.Equal(4, last);
        Assert.Equal(4, deltas.Count(d => d.GetProperty("k").GetString() == "qa"));
        Assert.Contains(deltas, d => d.GetProperty("k").GetString() == "votes");
    }

    [Fact]
    public async Task A_reader_that_stops_reading_holds_no_one_else_back_loses_only_its_own_pushes_and_is_told_to_catch_up()
    {
        await using var slow = await SlowReader.ConnectAsync(new Uri(_host.BaseAddress, Web.Live.LiveHub.Path), Announcements);
        await using var client = await LiveClient.ConnectAsync(_host);
        await client.InvokeAsync("Subscribe", Subscription(Announcements));
        var grain = _host.Grains.GetGrain<IAnnouncementsGrain>(Slug);

        const int count = 1500;
        var text = new string('x', 400);

        // Everyone else receives every push, in order, while the slow reader reads nothing and is
        // never dropped: were a send to wait for it, the topic would stall for the whole deadline.
        // Posts run at most a quarter of the per-connection bound ahead of what the reading client
        // has received: on a loaded machine the server's writes to a reader that does read can lag
        // too, and that reader would then (rightly) be bounded and asked to catch up.
        const int inFlight = Web.Live.LiveLifetimeManager.MaxPendingWrites / 4;
        var received = 0;
        for (var i = 0; i < count; i++)
        {
            await grain.PostAsync(DemoEvent.OrganiserEmail, new PostAnnouncement($"n{i} {text}", null, Guid.NewGuid().ToString("N")));
            while (received <= i - inFlight || (i == count - 1 && received < count))
            {
                Assert.Contains($"n{received} ", (await client.NextDeltaAsync(Wait)).GetProperty("d").GetProperty("html").GetString());
                received++;
            }
        }

        // Once it reads again, it finds it lost some (what is queued for it is bounded, so 1,500
        // pushes never pile up in its connection) and was asked to catch up.
        Assert.False(slow.Closed, "SignalR dropped the slow reader: the test cannot tell a bound from a drop.");
        var slowReceived = await slow.ReadUntilAsync("\"target\":\"CatchUp\"");
        var delivered = slowReceived.Split("\"target\":\"Delta\"").Length - 1;
        TestContext.Current.TestOutputHelper?.WriteLine($"The slow reader was sent {delivered} of {count} pushes before its CatchUp.");
        Assert.True(delivered < count, $"The slow reader was queued all {delivered} pushes: nothing bounds a connection's backlog.");
    }

    // The SignalR JSON protocol by hand over a WebSocket whose socket has a 1 KB receive buffer and
    // which reads nothing until told to: a phone whose link has stalled. It pings, so it is never
    // closed for silence; SignalR still closes it once one send to it has waited 10 s
    // (TransportSendTimeout), and Closed says whether that has happened.
    private sealed class SlowReader : IAsyncDisposable
    {
        private const char Separator = '\u001e';
        private readonly ClientWebSocket _socket;
        private readonly CancellationTokenSource _stop = new();
        private readonly StringBuilder _received = new();
        private readonly TaskCompletionSource _readNow = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task _pinging;
        private readonly Task _reading;

        public bool Closed { get; private set; }

        private SlowReader(ClientWebSocket socket)
        {
            _socket = socket;
            // Pings every half second as the SignalR client does (a keep-alive, not a wait).
            _pinging = Task.Run(async () =>
            {
                while (await PauseAsync(500))
                {
                    try
                    {
                        await SendAsync(_socket, "{\"type\":6}");
                    }
                    catch (Exception) when (!_stop.IsCancellationRequested)
                    {
                        Closed = true;
                        return;
                    }
                }
            });
            _reading = Task.Run(async () =>
            {
                var buffer = new byte[16 * 1024];
                await _readNow.Task.WaitAsync(_stop.Token);

                while (!_stop.IsCancellationRequested)
                {
                    var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    lock (_received)
                    {
                        _received.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
                    }
                }
            });
        }

        private async Task<bool> PauseAsync(int milliseconds)
        {
            try
            {
                await Task.Delay(milliseconds, _stop.Token);
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        public static async Task<SlowReader> ConnectAsync(Uri hub, string topic)
        {
            var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (context, cancellationToken) =>
                {
                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 1024 };
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                },
            };
            var webSocket = new ClientWebSocket();
            await webSocket.ConnectAsync(new UriBuilder(hub) { Scheme = "ws" }.Uri, new HttpMessageInvoker(handler), Ct);
            await SendAsync(webSocket, "{\"protocol\":\"json\",\"version\":1}");
            await ReadAsync(webSocket, "{}");
            await SendAsync(webSocket, $"{{\"type\":1,\"invocationId\":\"1\",\"target\":\"Subscribe\",\"arguments\":[[{{\"topic\":\"{topic}\",\"after\":0}}]]}}");
            await ReadAsync(webSocket, "\"invocationId\":\"1\"");
            return new SlowReader(webSocket);
        }

        // Reads at full speed from now on, until the marker has arrived; returns all it read.
        public async Task<string> ReadUntilAsync(string marker)
        {
            _readNow.TrySetResult();
            var read = await Eventually.UntilAsync($"{marker} to reach the slow reader", Received, text => text.Contains(marker, StringComparison.Ordinal) || _reading.IsCompleted);
            Assert.True(read.Contains(marker, StringComparison.Ordinal), $"The reader stopped ({_reading.Status} {_reading.Exception?.InnerException?.Message}) after {read.Split("\"target\":\"Delta\"").Length - 1} deltas, without {marker}.");
            return read;
        }

        private string Received()
        {
            lock (_received)
            {
                return _received.ToString();
            }
        }

        private static async Task SendAsync(ClientWebSocket socket, string message) =>
            await socket.SendAsync(Encoding.UTF8.GetBytes(message + Separator), WebSocketMessageType.Text, true, Ct);

        private static async Task ReadAsync(ClientWebSocket socket, string marker)
        {
            var text = new StringBuilder();
            var buffer = new byte[1024];
            while (!text.ToString().Contains(marker, StringComparison.Ordinal))
            {
                var result = await socket.ReceiveAsync(buffer, Ct);
                Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
                text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _socket.Abort();
            await Task.WhenAll(_pinging, _reading).ContinueWith(_ => { }, TaskScheduler.Default);
            _socket.Dispose();
            _stop.Dispose();
        }
    }
}
