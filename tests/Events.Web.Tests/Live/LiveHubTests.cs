using System.Text.Json;
using Events.Grains.Announcements;
using Events.Grains.People;
using Events.Silo;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Events.Web.Tests.Live;

public sealed class LiveHubTests(SharedHost shared) : DemoCopyTests<SharedHost>(shared)
{
    private string Topic => "announcements:" + Slug;
    private static readonly TimeSpan Wait = Eventually.DefaultTimeout;

    private readonly EventsHost _host = shared.Host;

    private IAnnouncementsGrain Announcements => _host.Grains.GetGrain<IAnnouncementsGrain>(Slug);

    private Task<Announcement> PostAsync(string text) =>
        Announcements.PostAsync(DemoEvent.OrganiserEmail, new PostAnnouncement(text, null, Guid.NewGuid().ToString("N")));

    private Task<TestBrowser> SignedInAsync(EventRole? role) => _host.SignedInAsync(Slug, role);

    private object[] Subscription(long after) => [new[] { new { topic = Topic, after } }];

    [Fact]
    public async Task A_subscriber_receives_each_announcement_as_a_delta_with_increasing_sequence_numbers()
    {
        await using var client = await LiveClient.ConnectAsync(_host);
        var caughtUp = await client.InvokeAsync("Subscribe", Subscription(0));
        Assert.False(caughtUp[0].GetProperty("reload").GetBoolean());

        await PostAsync("Pitch room A starts in **5 minutes**");
        await PostAsync("Room B moved to 11:45");
        var first = await client.NextDeltaAsync(Wait);
        var second = await client.NextDeltaAsync(Wait);

        Assert.Equal(Topic, first.GetProperty("t").GetString());
        Assert.Equal("announcement", first.GetProperty("k").GetString());
        Assert.Contains("<strong>5 minutes</strong>", first.GetProperty("d").GetProperty("html").GetString());
        Assert.Equal(first.GetProperty("s").GetInt64() + 1, second.GetProperty("s").GetInt64());
        Assert.Contains("Room B moved", second.GetProperty("d").GetProperty("html").GetString());
    }

    [Fact]
    public async Task A_client_coming_back_with_an_old_sequence_number_receives_exactly_what_it_missed()
    {
        await PostAsync("one");
        await PostAsync("two");
        var seen = (await Announcements.GetActiveAsync()).Version;
        await PostAsync("three");
        await PostAsync("four");

        await using var client = await LiveClient.ConnectAsync(_host);
        var caughtUp = (await client.InvokeAsync("Subscribe", Subscription(seen)))[0];

        var deltas = caughtUp.GetProperty("deltas").EnumerateArray().ToList();
        Assert.Equal([seen + 1, seen + 2], deltas.Select(d => d.GetProperty("s").GetInt64()));
        Assert.Contains("three", deltas[0].GetProperty("d").GetProperty("html").GetString());
        Assert.Contains("four", deltas[1].GetProperty("d").GetProperty("html").GetString());
        // Nothing caught up is pushed again: the next push is the next announcement.
        await PostAsync("five");
        Assert.Equal(seen + 3, (await client.NextDeltaAsync(Wait)).GetProperty("s").GetInt64());
    }

    [Fact]
    public async Task A_client_too_far_behind_is_told_to_reload_its_region_instead_of_receiving_every_event()
    {
        for (var i = 0; i < Web.Live.LiveTopics.MaxCatchUpEvents + 5; i++)
        {
            await PostAsync($"notice {i}");
        }

        await using var client = await LiveClient.ConnectAsync(_host);
        var caughtUp = (await client.InvokeAsync("Subscribe", Subscription(0)))[0];

        Assert.True(caughtUp.GetProperty("reload").GetBoolean());
        Assert.Empty(caughtUp.GetProperty("deltas").EnumerateArray());
        using var browser = new TestBrowser(_host);
        var region = await browser.GetPageAsync($"/events/{Slug}/announcements");
        Assert.Contains("notice 104", region);
        Assert.Contains($"data-seq=\"{(await Announcements.GetActiveAsync()).Version}\"", region);
    }

    [Fact]
    public async Task A_moderator_posting_the_same_message_twice_with_one_key_publishes_it_once()
    {
        using var moderator = await SignedInAsync(EventRole.Moderator);
        await using var client = await LiveClient.ConnectAsync(_host, moderator);
        await client.InvokeAsync("Subscribe", Subscription(0));

        var first = await client.InvokeAsync("PostAnnouncement", Slug, "Lunch is served in the hall", 30, "key-123");
        var resent = await client.InvokeAsync("PostAnnouncement", Slug, "Lunch is served in the hall", 30, "key-123");

        Assert.Equal(first.GetProperty("id").GetString(), resent.GetProperty("id").GetString());
        Assert.Single((await Announcements.GetActiveAsync()).Active);
        var published = await client.NextDeltaAsync(Wait);
        // The resend pushed nothing: the next push is the next announcement.
        await PostAsync("Dessert follows");
        var next = await client.NextDeltaAsync(Wait);
        Assert.Equal(published.GetProperty("s").GetInt64() + 1, next.GetProperty("s").GetInt64());
        Assert.Contains("Dessert follows", next.GetProperty("d").GetProperty("html").GetString());
    }

    [Fact]
    public async Task A_refused_hub_call_is_worded_in_the_language_of_the_connection()
    {
        using var moderator = await SignedInAsync(EventRole.Moderator);
        (await moderator.GetAsync("/language/fr")).Dispose();
        await using var client = await LiveClient.ConnectAsync(_host, moderator);

        var empty = await Assert.ThrowsAsync<HubException>(() => client.InvokeAsync("PostAnnouncement", Slug, "   ", null, "k-fr"));

        Assert.Contains("Écrivez d'abord l'annonce : elle est vide.", empty.Message);
        Assert.Empty((await Announcements.GetActiveAsync()).Active);
        Assert.Equal(HubConnectionState.Connected, client.Connection.State);
    }

    [Fact]
    public async Task Oversized_or_empty_announcements_are_refused_through_the_hub_with_the_reason()
    {
        using var moderator = await SignedInAsync(EventRole.Moderator);
        await using var client = await LiveClient.ConnectAsync(_host, moderator);

        var tooLong = await Assert.ThrowsAsync<HubException>(() => client.InvokeAsync("PostAnnouncement", Slug, new string('x', 1001), null, "k1"));
        var empty = await Assert.ThrowsAsync<HubException>(() => client.InvokeAsync("PostAnnouncement", Slug, "   ", null, "k2"));
        var wrongShape = await Assert.ThrowsAsync<HubException>(() => client.InvokeAsync("PostAnnouncement", Slug));

        Assert.Contains("at most 1000 characters; this one has 1001", tooLong.Message);
        Assert.Contains("it is empty", empty.Message);
        Assert.Contains("PostAnnouncement", wrongShape.Message);
        Assert.Empty((await Announcements.GetActiveAsync()).Active);
        Assert.Equal(HubConnectionState.Connected, client.Connection.State);
    }

    [Fact]
    public async Task Attendees_and_anonymous_visitors_cannot_post_through_the_hub()
    {
        using var attendee = await SignedInAsync(EventRole.Attendee);
        await using var asAttendee = await LiveClient.ConnectAsync(_host, attendee);
        await using var anonymous = await LiveClient.ConnectAsync(_host);

        var refused = await Assert.ThrowsAsync<HubException>(() => asAttendee.InvokeAsync("PostAnnouncement", Slug, "hi", null, "k"));
        await Assert.ThrowsAsync<HubException>(() => anonymous.InvokeAsync("PostAnnouncement", Slug, "hi", null, "k"));

        Assert.Contains("unauthorized", refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty((await Announcements.GetActiveAsync()).Active);
    }

    [Fact]
    public async Task A_revoked_moderator_is_refused_on_the_same_live_connection()
    {
        using var moderator = await SignedInAsync(EventRole.Moderator);
        await using var client = await LiveClient.ConnectAsync(_host, moderator);
        await client.InvokeAsync("PostAnnouncement", Slug, "before", null, "k-before");

        await _host.Grains.GetGrain<IEventAccessGrain>(Slug).RevokeAsync(DemoEvent.OrganiserEmail, moderator.Email!, EventRole.Moderator);

        await Assert.ThrowsAsync<HubException>(() => client.InvokeAsync("PostAnnouncement", Slug, "after", null, "k-after"));
        Assert.Equal(["before"], (await Announcements.GetActiveAsync()).Active.Select(a => a.Markdown));
    }

    [Fact]
    public async Task Hub_calls_beyond_the_per_connection_limit_are_refused_with_a_clear_message()
    {
        await using var client = await LiveClient.ConnectAsync(_host);
        for (var i = 0; i < Web.Live.HubRateLimitFilter.CallsPerWindow; i++)
        {
            await client.InvokeAsync("Subscribe", Subscription(0));
        }

        var refused = await Assert.ThrowsAsync<HubException>(() => client.InvokeAsync("Subscribe", Subscription(0)));

        Assert.Contains("Too many messages", refused.Message);
    }

    [Fact]
    public async Task Unknown_topics_and_malformed_messages_get_an_error_and_the_connection_survives()
    {
        await using var client = await LiveClient.ConnectAsync(_host);

        var unknown = await Assert.ThrowsAsync<HubException>(() => client.InvokeAsync("Subscribe", new object[] { new[] { new { topic = "scores:secret", after = 0 } } }));
        var wrongType = await Assert.ThrowsAsync<HubException>(() => client.InvokeAsync("Subscribe", "not a list"));

        Assert.Contains("There is no live topic 'scores:secret'", unknown.Message);
        Assert.NotEmpty(wrongType.Message);
        var fine = await client.InvokeAsync("Subscribe", Subscription(0));
        Assert.Equal(JsonValueKind.Array, fine.ValueKind);
    }

    [Fact]
    public async Task When_this_silo_may_have_missed_events_every_connected_page_is_asked_to_catch_up()
    {
        await using var page = await LiveClient.ConnectAsync(_host);
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var handler = page.Connection.On("CatchUp", () => asked.TrySetResult());

        // Deactivating every grain makes the journal relay forget this silo, as when the relay's silo
        // dies; the silo's next refresh finds out. Until it has registered once there is nothing to
        // forget, so forget again each refresh period until the page is asked.
        await Eventually.RepeatingAsync(
            "the page to be asked to catch up",
            () => _host.Grains.GetGrain<Orleans.Runtime.IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero, TestContext.Current.CancellationToken),
            () => asked.Task.IsCompleted,
            every: Events.Grains.Journal.JournalRelay.Refresh + TimeSpan.FromSeconds(1));
    }
}
