using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Events.Web.Tests.Live;

// A SignalR client speaking the JSON hub protocol over a real WebSocket (the .NET SignalR client
// package cannot be restored here). Frames are JSON texts ended by the record separator 0x1E.
public sealed class HubTestClient : IAsyncDisposable
{
    private const char RecordSeparator = '\u001e';

    private readonly ClientWebSocket _socket;
    private readonly Channel<JsonElement> _incoming = Channel.CreateUnbounded<JsonElement>();
    private readonly List<JsonElement> _pending = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiving;
    private int _nextInvocation;

    private HubTestClient(ClientWebSocket socket)
    {
        _socket = socket;
        _receiving = Task.Run(ReceiveAsync);
    }

    // Sizes of the text frames the server sent, for bandwidth budgets.
    public List<int> FrameSizes { get; } = [];

    private readonly System.Text.StringBuilder _received = new();

    // Everything the server sent, for asserting what a client never saw.
    public string ReceivedText
    {
        get
        {
            lock (_received)
            {
                return _received.ToString();
            }
        }
    }

    public bool IsClosed => _socket.State != WebSocketState.Open;

    public static async Task<HubTestClient> ConnectAsync(Uri server, string? cookie = null)
    {
        using var http = new HttpClient { BaseAddress = server };
        using var negotiate = new HttpRequestMessage(HttpMethod.Post, "/live/negotiate?negotiateVersion=1");
        if (!string.IsNullOrEmpty(cookie))
        {
            negotiate.Headers.Add("Cookie", cookie);
        }

        using var negotiated = await http.SendAsync(negotiate);
        negotiated.EnsureSuccessStatusCode();
        var token = (await negotiated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("connectionToken").GetString();

        var socket = new ClientWebSocket();
        if (!string.IsNullOrEmpty(cookie))
        {
            socket.Options.SetRequestHeader("Cookie", cookie);
        }

        await socket.ConnectAsync(new Uri($"ws://{server.Authority}/live?id={token}"), CancellationToken.None);
        var client = new HubTestClient(socket);
        await client.SendRawAsync("""{"protocol":"json","version":1}""");
        var handshake = await client.NextAsync(_ => true, TimeSpan.FromSeconds(10));
        if (handshake.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException("Handshake refused: " + error.GetString());
        }

        return client;
    }

    public static string CookieOf(TestBrowser browser) => string.Join("; ", browser.Cookies.Select(c => $"{c.Key}={c.Value}"));

    public async Task<JsonElement> InvokeAsync(string target, params object?[] arguments)
    {
        var id = Interlocked.Increment(ref _nextInvocation).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await SendRawAsync(JsonSerializer.Serialize(new { type = 1, invocationId = id, target, arguments }));
        var completion = await NextAsync(m => Type(m) == 3 && m.GetProperty("invocationId").GetString() == id, TimeSpan.FromSeconds(20));
        if (completion.TryGetProperty("error", out var error))
        {
            throw new HubCallException(error.GetString() ?? "");
        }

        return completion.TryGetProperty("result", out var result) ? result : default;
    }

    public async Task<JsonElement> NextDeltaAsync(TimeSpan timeout) =>
        (await NextAsync(m => Type(m) == 1 && m.GetProperty("target").GetString() == "Delta", timeout)).GetProperty("arguments")[0];

    public async Task<bool> ReceivesDeltaWithinAsync(TimeSpan timeout)
    {
        try
        {
            await NextDeltaAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public Task SendRawAsync(string json) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(json + RecordSeparator), WebSocketMessageType.Text, true, CancellationToken.None);

    private static int Type(JsonElement message) => message.TryGetProperty("type", out var type) ? type.GetInt32() : 0;

    // The next message matching the filter; others stay queued for later calls.
    private async Task<JsonElement> NextAsync(Func<JsonElement, bool> matches, TimeSpan timeout)
    {
        lock (_pending)
        {
            var found = _pending.FindIndex(m => matches(m));
            if (found >= 0)
            {
                var message = _pending[found];
                _pending.RemoveAt(found);
                return message;
            }
        }

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var message = await _incoming.Reader.ReadAsync(deadline.Token);
                if (matches(message))
                {
                    return message;
                }

                lock (_pending)
                {
                    _pending.Add(message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("No matching hub message arrived in time.");
        }
        catch (ChannelClosedException)
        {
            throw new TimeoutException("The hub connection closed.");
        }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        var text = new StringBuilder();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var received = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                text.Append(Encoding.UTF8.GetString(buffer, 0, received.Count));
                if (!received.EndOfMessage)
                {
                    continue;
                }

                lock (FrameSizes)
                {
                    FrameSizes.Add(Encoding.UTF8.GetByteCount(text.ToString()));
                }

                lock (_received)
                {
                    _received.Append(text);
                }

                foreach (var record in text.ToString().Split(RecordSeparator, StringSplitOptions.RemoveEmptyEntries))
                {
                    using var document = JsonDocument.Parse(record);
                    if (Type(document.RootElement) != 6)
                    {
                        await _incoming.Writer.WriteAsync(document.RootElement.Clone());
                    }
                }

                text.Clear();
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested || _socket.State != WebSocketState.Open)
        {
        }
        finally
        {
            _incoming.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            }
            catch (WebSocketException)
            {
            }
        }

        await _receiving;
        _socket.Dispose();
        _stop.Dispose();
    }
}

public sealed class HubCallException(string message) : Exception(message);
