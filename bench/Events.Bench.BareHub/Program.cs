using System.Text.Json.Serialization;
using Microsoft.AspNetCore.SignalR;

// The yardstick for bench/Events.Bench: a bare ASP.NET Core SignalR hub of the same shape as the
// product's /live (JSON protocol, the same keep-alive and timeout, the same method names and
// message shapes), with nothing behind it: no grains, no journal, no authorization, no filters.
// Whatever the product costs beyond this is the product's own.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSignalR(options =>
{
    // As src/Events.Web/Live/LiveSetup.cs.
    options.KeepAliveInterval = TimeSpan.FromSeconds(40);
    options.ClientTimeoutInterval = TimeSpan.FromMinutes(20);
});

var app = builder.Build();
app.MapGet("/", () => "bare hub");
app.MapHub<BareHub>("/live");
app.Run();

public sealed record Subscription(string Topic, long After);

public sealed record CatchUp(
    [property: JsonPropertyName("t")] string Topic,
    [property: JsonPropertyName("reload")] bool Reload,
    [property: JsonPropertyName("deltas")] IReadOnlyList<Delta> Deltas);

public sealed record Delta(
    [property: JsonPropertyName("t")] string Topic,
    [property: JsonPropertyName("s")] long Sequence,
    [property: JsonPropertyName("k")] string Kind,
    [property: JsonPropertyName("d")] object Data);

public sealed record Posted(string Id);

public sealed class BareHub : Hub
{
    private static long _sequence;

    public async Task<IReadOnlyList<CatchUp>> Subscribe(IReadOnlyList<Subscription> subscriptions)
    {
        foreach (var subscription in subscriptions)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, subscription.Topic);
        }

        return [.. subscriptions.Select(s => new CatchUp(s.Topic, false, []))];
    }

    // What the product pushes for an announcement: one delta to the topic's group.
    public async Task<Posted> PostAnnouncement(string slug, string markdown, int? validMinutes, string idempotencyKey)
    {
        var topic = $"announcements:{slug}";
        var id = Guid.NewGuid().ToString("N")[..12];
        var sequence = Interlocked.Increment(ref _sequence);
        var now = DateTimeOffset.UtcNow;
        var html = $"<li id=\"{id}\"><time datetime=\"{now:O}\">{now:HH:mm} UTC</time> <p>{System.Net.WebUtility.HtmlEncode(markdown)}</p></li>";
        await Clients.Group(topic).SendAsync("Delta", new Delta(topic, sequence, "announcement", new { id, html, exp = (long?)null }));
        return new Posted(id);
    }
}
