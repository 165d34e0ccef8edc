using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR.Client;

namespace Events.Web.Tests.Live;

// The official .NET SignalR client on the hub, over a real WebSocket to the test host's Kestrel,
// signed in as a test browser's person when one is given (its cookies go with the negotiation
// and the WebSocket upgrade). Deltas the server pushes queue up for NextDeltaAsync.
public sealed class LiveClient : IAsyncDisposable
{
    private readonly Channel<JsonElement> _deltas = Channel.CreateUnbounded<JsonElement>();
    private readonly RecordingWebSocket.Recording _received = new();

    private LiveClient(Uri server, TestBrowser? browser)
    {
        Connection = new HubConnectionBuilder()
            .WithUrl(new Uri(server, Web.Live.LiveHub.Path), HttpTransportType.WebSockets, options =>
            {
                foreach (var (name, value) in browser?.Cookies ?? new Dictionary<string, string>())
                {
                    options.Cookies.Add(server, new Cookie(name, value));
                }

                options.WebSocketFactory = (context, cancellationToken) => RecordingWebSocket.ConnectAsync(context, _received, cancellationToken);
            })
            .Build();
        Connection.On<JsonElement>(nameof(Web.Live.ILiveClient.Delta), delta => _deltas.Writer.TryWrite(delta));
    }

    public HubConnection Connection { get; }

    // Everything the server sent on this connection (handshake, results, errors, pushes, pings), as text:
    // for asserting what a client never saw, whatever the message and whether or not a handler exists.
    public string ReceivedText => _received.Text;

    // Bytes the server sent on this connection so far, for bandwidth budgets.
    public long ReceivedBytes => _received.Bytes;

    public static async Task<LiveClient> ConnectAsync(EventsHost host, TestBrowser? signedIn = null)
    {
        var client = new LiveClient(host.BaseAddress, signedIn);
        try
        {
            await client.Connection.StartAsync(TestContext.Current.CancellationToken);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }

        return client;
    }

    // A hub method's result as JSON; a refusal throws the client's HubException with the server's message.
    public Task<JsonElement> InvokeAsync(string method, params object?[] arguments) =>
        Connection.InvokeCoreAsync<JsonElement>(method, arguments, TestContext.Current.CancellationToken);

    // The next pushed delta not yet taken; TimeoutException when none arrives in time.
    public async Task<JsonElement> NextDeltaAsync(TimeSpan timeout)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await _deltas.Reader.ReadAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No delta arrived within {timeout}.");
        }
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();

    // The official client hands a test only the deserialized arguments of messages it has handlers
    // for, and nothing of the wire. The bandwidth budget needs the bytes the server sent and the
    // privacy checks need every message, so the client's own WebSocket is wrapped (through its
    // documented WebSocketFactory hook) to copy what it receives. No framing is read or written here.
    private sealed class RecordingWebSocket(ClientWebSocket inner, RecordingWebSocket.Recording recording) : WebSocket
    {
        public sealed class Recording
        {
            private readonly MemoryStream _bytes = new();

            public long Bytes
            {
                get
                {
                    lock (_bytes)
                    {
                        return _bytes.Length;
                    }
                }
            }

            public string Text
            {
                get
                {
                    lock (_bytes)
                    {
                        return Encoding.UTF8.GetString(_bytes.GetBuffer(), 0, (int)_bytes.Length);
                    }
                }
            }

            public void Add(ReadOnlySpan<byte> received)
            {
                lock (_bytes)
                {
                    _bytes.Write(received);
                }
            }
        }

        // What the client's default factory does that matters here: the options' cookies on the upgrade request.
        public static async ValueTask<WebSocket> ConnectAsync(WebSocketConnectionContext context, Recording recording, CancellationToken cancellationToken)
        {
            var socket = new ClientWebSocket();
            socket.Options.Cookies = context.Options.Cookies;
            try
            {
                await socket.ConnectAsync(context.Uri, cancellationToken);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            return new RecordingWebSocket(socket, recording);
        }

        public override WebSocketCloseStatus? CloseStatus => inner.CloseStatus;

        public override string? CloseStatusDescription => inner.CloseStatusDescription;

        public override WebSocketState State => inner.State;

        public override string? SubProtocol => inner.SubProtocol;

        public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
        {
            var result = await inner.ReceiveAsync(buffer, cancellationToken);
            recording.Add(buffer.AsSpan(0, result.Count));
            return result;
        }

        public override async ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            var result = await inner.ReceiveAsync(buffer, cancellationToken);
            recording.Add(buffer.Span[..result.Count]);
            return result;
        }

        public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
            inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

        public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
            inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

        public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, WebSocketMessageFlags messageFlags, CancellationToken cancellationToken) =>
            inner.SendAsync(buffer, messageType, messageFlags, cancellationToken);

        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
            inner.CloseAsync(closeStatus, statusDescription, cancellationToken);

        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
            inner.CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

        public override void Abort() => inner.Abort();

        public override void Dispose() => inner.Dispose();
    }
}
