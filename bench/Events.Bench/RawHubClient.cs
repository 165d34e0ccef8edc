using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Events.Bench;

// A lean SignalR client for thousands of connections from one process: a WebSocket straight to
// the hub (no negotiation), the JSON hub protocol (records ended by 0x1E), invocations with
// results, and a watch for one marker in pushed messages. The .NET client costs too much memory
// and CPU per connection to hold 20,000 of them next to the servers; Program checks this one
// against it once (same handshake, same delta).
public sealed class RawHubClient : IAsyncDisposable
{
    private const byte RecordSeparator = 0x1e;
    private static readonly byte[] Ping = Encoding.UTF8.GetBytes("{\"type\":6}\u001e");

    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly CancellationTokenSource _closing = new();
    private int _nextId;
    private Task _receiving = Task.CompletedTask;
    private byte[]? _marker;
    private TaskCompletionSource<long>? _markerSeen;

    // The last pushed invocation's text (for the check against the .NET client).
    public string? LastPush { get; private set; }

    public static async Task<RawHubClient> ConnectAsync(Uri server, string path, string? cookie, CancellationToken cancellationToken)
    {
        var client = new RawHubClient();
        if (cookie is not null)
        {
            client._socket.Options.SetRequestHeader("Cookie", cookie);
        }

        var uri = new UriBuilder(new Uri(server, path)) { Scheme = server.Scheme == "https" ? "wss" : "ws" }.Uri;
        await client._socket.ConnectAsync(uri, cancellationToken);
        await client.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"));
        var handshake = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        client._pending["handshake"] = handshake;
        client._receiving = client.ReceiveAsync();
        var answer = await handshake.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        if (answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"Handshake refused: {error}");
        }

        return client;
    }

    public Task KeepAliveAsync() => SendAsync(Ping);

    // Sends an invocation; the result as JSON, or HubException-like failure with the server's message.
    public async Task<JsonElement> InvokeAsync(string target, params object?[] arguments)
    {
        var id = Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
        var done = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = done;
        var message = JsonSerializer.SerializeToUtf8Bytes(new { type = 1, invocationId = id, target, arguments });
        var framed = new byte[message.Length + 1];
        message.CopyTo(framed, 0);
        framed[^1] = RecordSeparator;
        await SendAsync(framed);
        return await done.Task;
    }

    // The next pushed message containing marker completes with Stopwatch.GetTimestamp() on arrival.
    public Task<long> Watch(byte[] marker)
    {
        var seen = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        _markerSeen = seen;
        _marker = marker;
        return seen.Task;
    }

    private async Task SendAsync(byte[] bytes)
    {
        await _sending.WaitAsync();
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, true, _closing.Token);
        }
        finally
        {
            _sending.Release();
        }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        try
        {
            while (!_closing.IsCancellationRequested)
            {
                var memory = buffer.GetMemory(4096);
                var result = await _socket.ReceiveAsync(memory, _closing.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                buffer.Advance(result.Count);
                var written = buffer.WrittenSpan;
                int end;
                var consumed = 0;
                while ((end = written[consumed..].IndexOf(RecordSeparator)) >= 0)
                {
                    Handle(written.Slice(consumed, end));
                    consumed += end + 1;
                }

                if (consumed > 0)
                {
                    var rest = written[consumed..].ToArray();
                    buffer.Clear();
                    buffer.Write(rest);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }

        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(new InvalidOperationException("The connection closed."));
        }

        _markerSeen?.TrySetException(new InvalidOperationException("The connection closed."));
    }

    private void Handle(ReadOnlySpan<byte> record)
    {
        if (_pending.TryRemove("handshake", out var handshake))
        {
            handshake.TrySetResult(JsonDocument.Parse(record.ToArray()).RootElement.Clone());
            return;
        }

        // Pushes are checked for the marker without parsing: at 20,000 receivers parsing would
        // measure the load generator instead of the server.
        if (_marker is { } marker && record.IndexOf(marker) >= 0)
        {
            var at = Stopwatch.GetTimestamp();
            LastPush = Encoding.UTF8.GetString(record);
            _marker = null;
            _markerSeen?.TrySetResult(at);
            return;
        }

        if (record.IndexOf("\"type\":3"u8) < 0)
        {
            return;
        }

        using var document = JsonDocument.Parse(record.ToArray());
        var root = document.RootElement;
        if (root.TryGetProperty("invocationId", out var id) && _pending.TryRemove(id.GetString()!, out var done))
        {
            if (root.TryGetProperty("error", out var error))
            {
                done.TrySetException(new InvalidOperationException(error.GetString()));
            }
            else
            {
                done.TrySetResult(root.TryGetProperty("result", out var value) ? value.Clone() : default);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }

        await _closing.CancelAsync();
        _socket.Abort();
        await _receiving;
        _socket.Dispose();
        _closing.Dispose();
        _sending.Dispose();
    }
}
