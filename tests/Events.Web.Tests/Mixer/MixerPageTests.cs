using System.Net;
using Events.Grains.Agenda;
using Events.Grains.Audit;
using Events.Grains.Mixer;
using Events.Grains.People;
using Events.Silo;
using Events.Web.Audit;
using Events.Web.Tests.Live;
using Microsoft.AspNetCore.SignalR;

namespace Events.Web.Tests.Mixer;

public sealed class MixerPageTests(RunHost run) : OnDemoCopy(run)
{
    private readonly EventsHost _host = run.Host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<string> MixerSessionIdAsync() =>
        (await _host.Grains.GetGrain<IAgendaGrain>(Slug).GetAsync())!.Sessions.Single(s => s.Kind == SessionKind.GlobalMixer).Id;

    private async Task<IMixerSlotGrain> SlotAsync() => _host.Grains.GetGrain<IMixerSlotGrain>($"{Slug}/{await MixerSessionIdAsync()}");

    private async Task<TestBrowser> AsAsync(EventRole role)
    {
        var browser = new TestBrowser(_host);
        var email = $"{role.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}@matola.example.org";
        await _host.Grains.GetGrain<IEventAccessGrain>(Slug).GrantAsync("test", email, role, null);
        await browser.SignInAsync(email);
        return browser;
    }

    private async Task AcceptAsync(IMixerSlotGrain slot, string city, int minutes)
    {
        var proposed = await slot.ProposeAsync("p@example.org", new ProposeIntervention("Speaker", city, $"{city} pilot", "", minutes));
        await slot.AcceptAsync("m@example.org", proposed.Id);
    }

    [Fact]
    public async Task A_proposal_over_the_slot_s_remaining_minutes_is_refused_with_the_message_on_the_page()
    {
        var slot = await SlotAsync();
        await AcceptAsync(slot, "Kampala", 10);
        await AcceptAsync(slot, "Bizerte", 10);
        await AcceptAsync(slot, "Kumasi", 8);
        using var presenter = await AsAsync(EventRole.Presenter);
        var page = $"/events/{Slug}/mixer/{await MixerSessionIdAsync()}";
        await presenter.GetPageAsync(page);

        using var refused = await presenter.PostFormAsync($"{page}/proposals", ("title", "Land register that survives power cuts"), ("presenter", "Ana Machava"), ("city", "Matola"), ("summary", ""), ("minutes", "5"));
        var html = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync(Ct));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("This intervention needs 5 minutes, but only 2 of the slot's 30 minutes are left.", html);
        Assert.Contains("value=\"Land register that survives power cuts\"", html);
        Assert.Empty((await slot.GetAsync()).Proposals);
    }

    [Fact]
    public async Task A_presenter_proposes_the_moderator_accepts_and_runs_the_slot_from_the_console_without_javascript()
    {
        var sessionId = await MixerSessionIdAsync();
        var page = $"/events/{Slug}/mixer/{sessionId}";
        using var presenter = await AsAsync(EventRole.Presenter);
        await presenter.GetPageAsync(page);
        using var proposed = await presenter.PostFormAsync($"{page}/proposals", ("title", "Boda-boda routes on a map"), ("presenter", "Joseph Okello"), ("city", "Kampala"), ("summary", "Open data for *minibus* routes"), ("minutes", "8"));
        Assert.Equal(HttpStatusCode.Found, proposed.StatusCode);
        var intervention = (await (await SlotAsync()).GetAsync()).Proposals.Single();

        using var moderator = await AsAsync(EventRole.Moderator);
        var console = await moderator.GetPageAsync(page);
        Assert.Contains("Boda-boda routes on a map", console);
        using var accepted = await moderator.PostFormAsync($"{page}/proposals/{intervention.Id}/accept");
        await moderator.GetPageAsync(page);
        using var started = await moderator.PostFormAsync($"{page}/control", ("control", "StartSlot"));
        using var extended = await moderator.PostFormAsync($"{page}/control", ("control", "Extend"));
        using var wrong = await moderator.PostFormAsync($"{page}/control", ("control", "Resume"));

        Assert.Equal(HttpStatusCode.Found, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Found, started.StatusCode);
        Assert.Equal(HttpStatusCode.Found, extended.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("'Resume' cannot be done now: the slot is running.", WebUtility.HtmlDecode(await wrong.Content.ReadAsStringAsync(Ct)));

        using var attendee = new TestBrowser(_host);
        var view = WebUtility.HtmlDecode(await attendee.GetPageAsync(page));
        Assert.Contains("Speaking now", view);
        Assert.Contains("Boda-boda routes on a map", view);
        Assert.Matches("data-ends-at=\"\\d+\"", view);
        Assert.DoesNotContain("Moderator console", view);
        var now = (await (await SlotAsync()).GetAsync()).Now;
        Assert.Equal(now.CurrentEndsAt!.Value.ToUnixTimeMilliseconds(), long.Parse(System.Text.RegularExpressions.Regex.Match(view, "data-ends-at=\"(\\d+)\"").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(TimeSpan.FromMinutes(9), now.CurrentEndsAt - now.ProjectedEnd + TimeSpan.FromMinutes(9));
        var agenda = await attendee.GetPageAsync($"/events/{Slug}");
        Assert.Contains("Boda-boda routes on a map · Joseph Okello (Kampala) · 8 min", WebUtility.HtmlDecode(agenda));
        Assert.Contains("Open data for <em>minibus</em> routes", view);

        var trail = _host.Grains.GetGrain<IAuditTrailGrain>(Slug);
        await Eventually.UntilAsync(
            "the audit entry of the extension",
            async () => (await trail.ListAsync(100)).Any(e => e.What?.Arguments.FirstOrDefault()?.Value == "MixerControl.Extend"));

        var actions = (await trail.ListAsync(100)).Where(e => e.Actor == moderator.Email).Select(e => AuditWording.Of(e, "en", TimeZoneInfo.Utc)).ToList();
        Assert.Contains("Global Mixer: Start the slot", actions);
        Assert.Contains("Global Mixer: One more minute", actions);
        Assert.Contains($"accepted intervention {intervention.Id} into the line-up", actions);
    }

    [Fact]
    public async Task A_declined_presenter_sees_the_reason_on_the_mixer_page()
    {
        var sessionId = await MixerSessionIdAsync();
        var page = $"/events/{Slug}/mixer/{sessionId}";
        using var presenter = await AsAsync(EventRole.Presenter);
        await presenter.GetPageAsync(page);
        await presenter.PostFormAsync($"{page}/proposals", ("title", "Street lighting audit"), ("presenter", "Leila"), ("city", "Bizerte"), ("summary", ""), ("minutes", "6"));
        var proposal = (await (await SlotAsync()).GetAsync()).Proposals.Single();
        using var moderator = await AsAsync(EventRole.Moderator);
        await moderator.GetPageAsync(page);

        using var declined = await moderator.PostFormAsync($"{page}/proposals/{proposal.Id}/decline", ("reason", "Please bring it to the energy mixer next month"));
        var mine = WebUtility.HtmlDecode(await presenter.GetPageAsync(page));

        Assert.Equal(HttpStatusCode.Found, declined.StatusCode);
        Assert.Contains("Street lighting audit · declined: Please bring it to the energy mixer next month", mine);
    }

    [Fact]
    public async Task A_live_client_sees_a_mixer_transition_with_increasing_sequence_numbers_and_catches_up_after_a_drop()
    {
        var sessionId = await MixerSessionIdAsync();
        var slot = await SlotAsync();
        await AcceptAsync(slot, "Kampala", 10);
        await AcceptAsync(slot, "Bizerte", 8);
        var topic = $"mixer:{Slug}/{sessionId}";
        var seen = (await slot.GetAsync()).Version;
        using var moderator = await AsAsync(EventRole.Moderator);
        await using (var client = await LiveClient.ConnectAsync(_host, moderator))
        {
            await client.InvokeAsync("Subscribe", new object[] { new[] { new { topic, after = seen } } });

            Assert.Equal("Running", (await client.InvokeAsync("ControlMixer", Slug, sessionId, "StartSlot", "k-start")).GetString());
            await client.InvokeAsync("ControlMixer", Slug, sessionId, "Next", "k-next");
            var start = await client.NextDeltaAsync(Eventually.DefaultTimeout);
            var next = await client.NextDeltaAsync(Eventually.DefaultTimeout);

            Assert.Equal("StartSlot", start.GetProperty("d").GetProperty("c").GetString());
            Assert.Equal("Next", next.GetProperty("d").GetProperty("c").GetString());
            Assert.Equal(start.GetProperty("s").GetInt64() + 1, next.GetProperty("s").GetInt64());
            seen = next.GetProperty("s").GetInt64();
        }

        await slot.ControlAsync("m@example.org", MixerControl.End);
        await using var back = await LiveClient.ConnectAsync(_host);
        var missed = (await back.InvokeAsync("Subscribe", new object[] { new[] { new { topic, after = seen } } }))[0].GetProperty("deltas").EnumerateArray().ToList();

        Assert.Single(missed);
        Assert.Equal("End", missed[0].GetProperty("d").GetProperty("c").GetString());
        Assert.Equal(seen + 1, missed[0].GetProperty("s").GetInt64());
    }

    [Fact]
    public async Task An_attendee_cannot_control_the_slot_through_the_hub()
    {
        var sessionId = await MixerSessionIdAsync();
        await AcceptAsync(await SlotAsync(), "Kampala", 10);
        using var attendee = await AsAsync(EventRole.Attendee);
        await using var client = await LiveClient.ConnectAsync(_host, attendee);

        var refused = await Assert.ThrowsAsync<HubException>(() => client.InvokeAsync("ControlMixer", Slug, sessionId, "StartSlot", "k-start"));

        Assert.Contains("unauthorized", refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(MixerPhase.NotStarted, (await (await SlotAsync()).GetAsync()).Now.Phase);
    }
}
