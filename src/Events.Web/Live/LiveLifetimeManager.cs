using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging;

namespace Events.Web.Live;

// SignalR's own group send waits until every member's write has gone out, so one reader on a
// choking link held a topic's pushes (and, behind them, every topic's) for everyone. Here a group
// send hands each member its copy and waits for none: a member with MaxPendingWrites copies not yet
// written loses the next ones, and when its backlog has drained it is sent one CatchUp, after which
// the page subscribes again from the sequence numbers it shows and receives exactly what it lost.
// The message is serialized once per protocol for the whole group, as SignalR does.
public sealed class LiveLifetimeManager(ILogger<DefaultHubLifetimeManager<LiveHub>> logger) : DefaultHubLifetimeManager<LiveHub>(logger)
{
    public const int MaxPendingWrites = 100;

    private static readonly SerializedHubMessage CatchUpMessage = new(new InvocationMessage(nameof(ILiveClient.CatchUp), []));

    private readonly ConcurrentDictionary<string, Member> _members = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, Member>> _groups = new(StringComparer.Ordinal);

    // Live connections now open on this process.
    public int Count => Volatile.Read(ref _count);

    private int _count;

    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        _members[connection.ConnectionId] = new Member(connection);
        Interlocked.Increment(ref _count);
        return base.OnConnectedAsync(connection);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        if (_members.TryRemove(connection.ConnectionId, out var member))
        {
            Interlocked.Decrement(ref _count);
            foreach (var group in member.LeaveAll())
            {
                Leave(group, connection.ConnectionId);
            }
        }

        return base.OnDisconnectedAsync(connection);
    }

    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        if (_members.TryGetValue(connectionId, out var member))
        {
            member.Join(groupName);
            lock (_groups)
            {
                _groups.GetOrAdd(groupName, _ => new(StringComparer.Ordinal))[connectionId] = member;
            }
        }

        return Task.CompletedTask;
    }

    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        if (_members.TryGetValue(connectionId, out var member))
        {
            member.Leave(groupName);
        }

        Leave(groupName, connectionId);
        return Task.CompletedTask;
    }

    // An empty group is dropped, so groups do not pile up as connections come and go.
    private void Leave(string groupName, string connectionId)
    {
        lock (_groups)
        {
            if (_groups.TryGetValue(groupName, out var members) && members.TryRemove(connectionId, out _) && members.IsEmpty)
            {
                _groups.TryRemove(groupName, out _);
            }
        }
    }

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        if (_groups.TryGetValue(groupName, out var members) && !members.IsEmpty)
        {
            var message = new SerializedHubMessage(new InvocationMessage(methodName, args));
            foreach (var member in members.Values)
            {
                member.Send(message);
            }
        }

        return Task.CompletedTask;
    }

    public override async Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        foreach (var group in groupNames)
        {
            await SendGroupAsync(group, methodName, args, cancellationToken);
        }
    }

    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Live topics are sent to whole groups.");

    private sealed class Member(HubConnectionContext connection)
    {
        // A page follows a handful of topics: a set under a lock is less than half the size of a
        // concurrent dictionary, and it is held for as long as the connection.
        private readonly HashSet<string> _groups = new(StringComparer.Ordinal);
        private int _pending;
        private int _lost;

        public void Join(string group)
        {
            lock (_groups)
            {
                _groups.Add(group);
            }
        }

        public void Leave(string group)
        {
            lock (_groups)
            {
                _groups.Remove(group);
            }
        }

        public string[] LeaveAll()
        {
            lock (_groups)
            {
                string[] all = [.. _groups];
                _groups.Clear();
                return all;
            }
        }

        public void Send(SerializedHubMessage message)
        {
            if (Interlocked.Increment(ref _pending) > MaxPendingWrites)
            {
                Interlocked.Decrement(ref _pending);
                Volatile.Write(ref _lost, 1);
                return;
            }

            Write(message);
        }

        private void Write(SerializedHubMessage message)
        {
            ValueTask write;
            try
            {
                write = connection.WriteAsync(message);
            }
            catch (Exception)
            {
                Written();
                return;
            }

            if (write.IsCompletedSuccessfully)
            {
                write.GetAwaiter().GetResult();
                Written();
            }
            else
            {
                _ = AwaitAsync(write);
            }
        }

        private async Task AwaitAsync(ValueTask write)
        {
            try
            {
                await write;
            }
            catch (Exception)
            {
                // The connection is closing; its disconnect cleans up.
            }
            finally
            {
                Written();
            }
        }

        private void Written()
        {
            if (Interlocked.Decrement(ref _pending) == 0 && Interlocked.Exchange(ref _lost, 0) == 1)
            {
                Interlocked.Increment(ref _pending);
                Write(CatchUpMessage);
            }
        }
    }
}
