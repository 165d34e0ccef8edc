using System.Net;
using System.Net.Sockets;

namespace Events.Web.Tests.Browser;

// A TCP relay on loopback between one browser and the server, whose cable a test can pull: Cut()
// drops every open connection and refuses new ones until Restore().
public sealed class NetworkCut : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private readonly Task _accepting;
    private volatile bool _cut;
    private volatile bool _stalled;
    private int _refused;

    public NetworkCut(Uri target)
    {
        _target = target;
        _listener.Start();
        _accepting = Task.Run(AcceptAsync);
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public void Cut()
    {
        _cut = true;
        lock (_open)
        {
            foreach (var client in _open)
            {
                client.Client.LingerState = new LingerOption(true, 0);
                client.Dispose();
            }

            _open.Clear();
        }
    }

    public void Restore() => _cut = _stalled = false;

    // Connections the browser tried to open while the cable was pulled: its reconnection attempts.
    public int Refused => Volatile.Read(ref _refused);

    // Bytes stop arriving either way while every connection stays open: a link that died silently.
    public void Stall() => _stalled = true;

    private async Task PipeAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            if (!_stalled)
            {
                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient browserSide;
            try
            {
                browserSide = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            if (_cut)
            {
                Interlocked.Increment(ref _refused);
                browserSide.Client.LingerState = new LingerOption(true, 0);
                browserSide.Dispose();
                continue;
            }

            _ = Task.Run(() => RelayAsync(browserSide));
        }
    }

    private async Task RelayAsync(TcpClient browserSide)
    {
        var serverSide = new TcpClient();
        try
        {
            await serverSide.ConnectAsync(_target.Host, _target.Port);
            lock (_open)
            {
                _open.Add(browserSide);
                _open.Add(serverSide);
            }

            var up = PipeAsync(browserSide.GetStream(), serverSide.GetStream());
            var down = PipeAsync(serverSide.GetStream(), browserSide.GetStream());
            await Task.WhenAny(up, down);
        }
        catch (Exception)
        {
            // A pulled cable or a closed side: both ends are dropped below.
        }
        finally
        {
            lock (_open)
            {
                _open.Remove(browserSide);
                _open.Remove(serverSide);
            }

            browserSide.Dispose();
            serverSide.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Cut();
        await _accepting;
        _stop.Dispose();
    }
}
