using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Events.Grains.Matchmaking;
using Events.Grains.People;
using Events.Silo;
using Events.Web.Tests.Browser;
using Events.Web.Tests.Live;
using Microsoft.AspNetCore.SignalR;

namespace Events.Web.Tests.Matchmaking;

// Most tests share the class's server, each on a copy of the demo event of its own with people of
// its own. The tests that move the clock (it is the whole server's) take a server of their own.
public sealed partial class MatchmakingPageTests(MatchmakingPageTests.RemindingHost shared) : IClassFixture<MatchmakingPageTests.RemindingHost>, IAsyncLifetime
{
    private static readonly TimeSpan Wait = Eventually.DefaultTimeout;

    private EventsHost _host = shared.Host;
    private EventsHost? _own;

    private string Slug { get; set; } = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class RemindingHost() : SharedHost(Settings);

    private static Dictionary<string, string> Settings => new() { ["RateLimits:SignInRequests"] = "1000", ["Matchmaking:ReminderCheck"] = "00:00:00.200" };

    public async ValueTask InitializeAsync() => Slug = await _host.NewDemoCopyAsync();

    public async ValueTask DisposeAsync()
    {
        if (_own is not null)
        {
            await _own.DisposeAsync();
        }
    }

    // For a test that moves the clock: a server of its own, on its demo event.
    private void OwnServer()
    {
        _own = new EventsHost(settings: Settings);
        _host = _own;
        Slug = DemoEvent.Slug;
    }

    private IMatchmakingGrain Matchmaking => _host.Grains.GetGrain<IMatchmakingGrain>(Slug);

    private async Task<(TestBrowser Browser, string Email)> AsAsync(EventRole role, string name, string? language = null)
    {
        var browser = new TestBrowser(_host) { AcceptLanguage = language };
        var email = $"{name.ToLowerInvariant()}-{Guid.NewGuid():N}@kumasi.example.org";
        await _host.Grains.GetGrain<IEventAccessGrain>(Slug).GrantAsync("test", email, role, null);
        await browser.SignInAsync(email);
        return (browser, email);
    }

    private static ProfileDraft Draft(string name, OrgType type, string city, string need, string offer) =>
        new(name, $"{city} team", type, city, "Kenya", ["en", "fr"], "We pilot *things*.", ["Mobility", "Land"],
            [new NeedOffer("Mobility", need, "")], [new NeedOffer("Mobility", offer, "")]);

    private async Task ThemesAsync() =>
        await Matchmaking.SetSettingsAsync("organiser@example.org", (await Matchmaking.GetSettingsAsync()) with { Themes = ["Mobility", "Land", "Open data"] });

    [Fact]
    public async Task The_directory_s_first_view_of_50_people_fits_14_6_KB_on_the_wire_and_shows_neither_email_addresses_nor_people_who_did_not_consent()
    {
        // Measured on the demo event itself: its slug is in every link, so a copy would weigh less.
        Slug = DemoEvent.Slug;
        await ThemesAsync();
        for (var i = 0; i < 55; i++)
        {
            await _host.Grains.GetGrain<IProfileGrain>($"{Slug}/person{i:D2}@kisumu.example.org").SaveAsync(
                Draft($"Person {i:D2} Odhiambo", (OrgType)(i % 5), $"City {i}", $"Mobility data for the {i}th pilot corridor", $"Parking data platform with {i} sensors"), listed: true);
        }

        await _host.Grains.GetGrain<IProfileGrain>($"{Slug}/secret@kisumu.example.org").SaveAsync(Draft("Secret Person", OrgType.City, "Nowhere", "n", "o"), listed: false);
        var (viewer, _) = await AsAsync(EventRole.Attendee, "Viewer");
        await viewer.GetPageAsync("/account");
        var (bytes, html) = await BrotliAsync(viewer, $"/events/{Slug}/directory");
        var css = Regex.Match(html, "href=\"(/_content/Events.Web/site[^\"]*\\.css)\"").Groups[1].Value;
        var (cssBytes, _) = await BrotliAsync(viewer, css);
        var secondPage = WebUtility.HtmlDecode(await viewer.GetPageAsync($"/events/{Slug}/directory?page=2"));
        var search = WebUtility.HtmlDecode(await viewer.GetPageAsync($"/events/{Slug}/directory?type=Investor&country=kenya"));
        var suggestions = WebUtility.HtmlDecode(await viewer.GetPageAsync($"/events/{Slug}/suggestions"));
        var decoded = WebUtility.HtmlDecode(html);

        TestContext.Current.TestOutputHelper?.WriteLine($"directory first view: {bytes} B HTML + {cssBytes} B CSS (brotli) for {Encoding.UTF8.GetByteCount(html)} B of HTML");
        Assert.True(bytes + cssBytes <= BudgetTests.FirstViewBudget, $"The directory's first view took {bytes} + {cssBytes} bytes");
        Assert.Equal(50, PersonLink().Matches(html).Count);
        Assert.Contains("55 people", decoded);
        Assert.Contains("Page 1 of 2", decoded);
        Assert.Equal(5, PersonLink().Matches(secondPage).Count);
        Assert.Equal(11, PersonLink().Matches(search).Count);
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("kisumu.example.org", html + secondPage + search);
        Assert.DoesNotContain("Secret Person", decoded + secondPage + search);
        Assert.Contains("href=\"/events/city-pilots-pitch-day/profile\"", html);
        Assert.Contains("Write your profile first", suggestions);
    }

    [Fact]
    public async Task Profile_input_with_markup_control_characters_or_10_KB_is_refused_in_the_visitor_s_language_and_nothing_is_stored()
    {
        await ThemesAsync();
        var (amina, email) = await AsAsync(EventRole.Attendee, "Amina", "fr");
        await amina.GetPageAsync($"/events/{Slug}/profile");
        (string, string)[] Fields(string intro, string needText) =>
        [
            ("name", "Amina"), ("organisation", "Kisumu county"), ("type", "City"), ("city", "Kisumu"), ("country", "Kenya"),
            ("languages", "en, sw"), ("intro", intro), ("theme", "Mobility"),
            ("need-0-theme", "Mobility"), ("need-0-title", "Mobility data"), ("need-0-text", needText),
            ("offer-0-theme", "Mobility"), ("offer-0-title", "Parking data platform"), ("offer-0-text", ""), ("listed", "true"),
        ];

        using var html = await amina.PostFormAsync($"/events/{Slug}/profile", Fields("<script>alert(1)</script>", ""));
        using var control = await amina.PostFormAsync($"/events/{Slug}/profile", Fields("Bonjour\u0001", ""));
        using var huge = await amina.PostFormAsync($"/events/{Slug}/profile", Fields("", new string('x', 10_240)));
        var stored = await _host.Grains.GetGrain<IProfileGrain>($"{Slug}/{email}").GetAsync();
        using var saved = await amina.PostFormAsync($"/events/{Slug}/profile", Fields("Nous pilotons le **stationnement**.", "Comptages"));
        var page = WebUtility.HtmlDecode(await amina.GetPageAsync($"/events/{Slug}/profile?saved=1"));

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (html.StatusCode, control.StatusCode, huge.StatusCode));
        Assert.Contains("Présentation : veuillez ne pas utiliser de balises HTML", WebUtility.HtmlDecode(await html.Content.ReadAsStringAsync(Ct)));
        // Control characters are refused for every form before it reaches the profile (Security/FormText).
        Assert.Contains("contient un caractère de contrôle invisible", WebUtility.HtmlDecode(await control.Content.ReadAsStringAsync(Ct)));
        Assert.Contains("Détails d'un besoin : 1000 caractères au plus ; le vôtre en a 10240. Rien n'a été enregistré.", WebUtility.HtmlDecode(await huge.Content.ReadAsStringAsync(Ct)));
        Assert.Null(stored);
        Assert.Equal(HttpStatusCode.Found, saved.StatusCode);
        Assert.Contains("Votre profil est visible des autres participants.", page);
        Assert.Equal("Parking data platform", (await _host.Grains.GetGrain<IProfileGrain>($"{Slug}/{email}").GetAsync())!.Draft.Offers.Single().Title);
    }

    [Fact]
    public async Task Without_javascript_a_request_reaches_the_invitee_s_open_page_live_and_an_acceptance_books_the_meeting_for_both()
    {
        var (organiser, settingsSaved) = await WindowsThroughTheFormAsync(("place", "Virtual"), ("roomTemplate", "https://meet.example.org/{room}"), ("tables", "0"));
        var (kumasi, kumasiEmail, _, kisumu, kisumuEmail, kisumuProfile) = await PairAsync();
        var (stranger, _) = await AsAsync(EventRole.Attendee, "Stranger");
        var slots = (await Matchmaking.GetSettingsAsync()).Slots().ToList();

        await using var invitee = await LiveClient.ConnectAsync(_host, kisumu);
        await invitee.InvokeAsync("Subscribe", new object[] { new[] { new { topic = $"meetings:{Slug}/{kisumuProfile.PersonId}", after = 0 } } });
        await using var snoop = await LiveClient.ConnectAsync(_host, stranger);
        var refused = await Assert.ThrowsAsync<HubException>(() => snoop.InvokeAsync("Subscribe", new object[] { new[] { new { topic = $"meetings:{Slug}/{kisumuProfile.PersonId}", after = 0 } } }));
        var suggestions = WebUtility.HtmlDecode(await kumasi.GetPageAsync($"/events/{Slug}/suggestions"));
        var person = await kumasi.GetPageAsync($"/events/{Slug}/directory/{kisumuProfile.PersonId}");
        using var requested = await kumasi.PostFormAsync($"/events/{Slug}/meetings/requests", ("to", kisumuProfile.PersonId), ("message", "Could we talk about parking data?"),
            ("slot", MatchTimesValue(slots[0])), ("slot", MatchTimesValue(slots[1])));
        var delta = await invitee.NextDeltaAsync(Wait);
        var inbox = WebUtility.HtmlDecode(await kisumu.GetPageAsync($"/events/{Slug}/meetings"));
        var requestId = (await Matchmaking.MineAsync(kisumuEmail)).Incoming.Single().Id;
        using var accepted = await kisumu.PostFormAsync($"/events/{Slug}/meetings/requests/{requestId}/accept", ("slot", MatchTimesValue(slots[1])));
        var requesterPage = WebUtility.HtmlDecode(await kumasi.GetPageAsync($"/events/{Slug}/meetings"));
        using var again = await kisumu.PostFormAsync($"/events/{Slug}/meetings/requests/{requestId}/accept", ("slot", MatchTimesValue(slots[0])));

        Assert.Equal(HttpStatusCode.Found, settingsSaved);
        Assert.Equal(3, slots.Count);
        Assert.Contains("Kisumu team offers “Parking data platform” for your need “Mobility data”.", suggestions);
        Assert.Contains($"value=\"{MatchTimesValue(slots[0])}\"", person);
        Assert.Equal(HttpStatusCode.Found, requested.StatusCode);
        Assert.Equal("meetings", delta.GetProperty("k").GetString());
        Assert.Equal("{}", delta.GetProperty("d").GetRawText());
        Assert.Contains("Kofi Mensah (Kumasi)", inbox);
        Assert.Contains("Could we talk about parking data?", inbox);
        Assert.DoesNotContain(kumasiEmail, inbox);
        Assert.Equal(HttpStatusCode.Found, accepted.StatusCode);
        Assert.Contains("Achieng Otieno", requesterPage);
        Assert.Contains("href=\"https://meet.example.org/", requesterPage);
        Assert.DoesNotContain(kisumuEmail, requesterPage);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("This request is accepted: nothing was changed.", WebUtility.HtmlDecode(await again.Content.ReadAsStringAsync(Ct)));
        Assert.NotNull(refused);
    }

    [Fact]
    public async Task The_profile_page_starts_from_the_directory_consent_given_at_registration_and_the_person_can_withdraw_it()
    {
        await ThemesAsync();
        var (organiser, organiserEmail) = await AsAsync(EventRole.Organiser, "Organiser");
        var office = _host.Grains.GetGrain<Events.Grains.Tickets.ITicketOfficeGrain>(Slug);
        var type = await office.SaveTicketTypeAsync(organiserEmail, new Events.Grains.Tickets.TicketTypeInput(
            null, "Peer day", 0, null, 100, null, null, EventRole.Attendee, Events.Grains.Tickets.TicketAccess.Open, null, AttendeeMayCancel: true));
        var (yes, yesEmail) = await AsAsync(EventRole.Attendee, "Consenting");
        var (no, noEmail) = await AsAsync(EventRole.Attendee, "Private");
        foreach (var (email, consent) in new[] { (yesEmail, true), (noEmail, false) })
        {
            await office.RegisterAsync(new Events.Grains.Tickets.RegistrationRequest(type.Id,
                new Events.Grains.Tickets.Registrant("Someone", email, "Town hall", "Matola", "Mozambique", "pt", "", consent), null));
        }

        var yesPage = await yes.GetPageAsync($"/events/{Slug}/profile");
        var noPage = await no.GetPageAsync($"/events/{Slug}/profile");
        using var saved = await yes.PostFormAsync($"/events/{Slug}/profile", ("name", "Celeste"), ("type", "City"), ("city", "Matola"), ("listed", "true"));
        var listed = await _host.Grains.GetGrain<IDirectoryGrain>(Slug).VisibleAsync();
        await yes.GetPageAsync($"/events/{Slug}/profile");
        using var withdrawn = await yes.PostFormAsync($"/events/{Slug}/profile/consent", ("listed", "false"));
        var afterWithdrawal = await _host.Grains.GetGrain<IDirectoryGrain>(Slug).VisibleAsync();
        var page = WebUtility.HtmlDecode(await yes.GetPageAsync($"/events/{Slug}/profile"));
        var directory = await organiser.GetPageAsync($"/events/{Slug}/directory");

        Assert.Matches("name=\"listed\" value=\"true\" checked", yesPage);
        Assert.DoesNotMatch("name=\"listed\" value=\"true\" checked", noPage);
        Assert.Equal(HttpStatusCode.Found, saved.StatusCode);
        Assert.Equal(["Celeste"], listed.Select(e => e.Profile.Name));
        Assert.Equal(HttpStatusCode.Found, withdrawn.StatusCode);
        Assert.Empty(afterWithdrawal);
        Assert.Contains("Your profile is hidden from the other participants.", page);
        Assert.DoesNotContain("Celeste", directory);
    }

    [Fact]
    public async Task Organisers_hide_and_verify_a_profile_from_the_directory_with_an_audit_entry_and_its_owner_is_offered_it_again_at_the_next_event()
    {
        await ThemesAsync();
        var (organiser, _) = await AsAsync(EventRole.Organiser, "Organiser");
        var (attendee, _) = await AsAsync(EventRole.Attendee, "Reader");
        var (amina, aminaEmail) = await AsAsync(EventRole.Attendee, "Amina");
        var profile = await _host.Grains.GetGrain<IProfileGrain>($"{Slug}/{aminaEmail}").SaveAsync(Draft("Amina Odhiambo", OrgType.City, "Kisumu", "Mobility data", "Parking data platform"), true);
        const string Next = "next-network-day";
        await _host.Grains.GetGrain<Events.Grains.Agenda.IAgendaGrain>(Next).OpenAsync(new Events.Grains.Agenda.OpenEvent("Next network day", "", "Africa/Nairobi"));
        await _host.Grains.GetGrain<IEventAccessGrain>(Next).GrantAsync("test", aminaEmail, EventRole.Attendee, null);
        var moderate = $"/events/{Slug}/directory/{profile.PersonId}/moderate";

        var before = await attendee.GetPageAsync($"/events/{Slug}/directory");
        await organiser.GetPageAsync($"/events/{Slug}/directory");
        using var verified = await organiser.PostFormAsync(moderate, ("action", "Verify"));
        var afterVerify = WebUtility.HtmlDecode(await attendee.GetPageAsync($"/events/{Slug}/directory"));
        using var hidden = await organiser.PostFormAsync(moderate, ("action", "Hide"));
        var afterHide = WebUtility.HtmlDecode(await attendee.GetPageAsync($"/events/{Slug}/directory"));
        var organiserView = WebUtility.HtmlDecode(await organiser.GetPageAsync($"/events/{Slug}/directory"));
        var audit = WebUtility.HtmlDecode(await organiser.GetPageAsync($"/events/{Slug}/audit"));
        var nextEvent = WebUtility.HtmlDecode(await amina.GetPageAsync($"/events/{Next}/profile"));

        Assert.Contains("Amina Odhiambo", before);
        Assert.DoesNotContain("/moderate", before);
        Assert.Equal((HttpStatusCode.Found, HttpStatusCode.Found), (verified.StatusCode, hidden.StatusCode));
        Assert.Contains("✓ verified by the organisers", afterVerify);
        Assert.DoesNotContain("Amina Odhiambo", afterHide);
        Assert.Contains("hidden by the organisers", organiserView);
        Assert.Contains("Show again", organiserView);
        Assert.Contains("matchmaking: hide profile of Amina Odhiambo", audit);
        Assert.Contains("matchmaking: verify profile of Amina Odhiambo", audit);
        Assert.Contains("This is your profile from your last event", nextEvent);
        Assert.Contains("value=\"Parking data platform\"", nextEvent);
    }

    [Fact]
    public async Task Without_javascript_people_mark_free_times_answer_with_other_times_move_and_cancel_with_a_note_and_organisers_book_a_pair()
    {
        var (organiser, settingsSaved) = await WindowsThroughTheFormAsync(("place", "Tables"), ("roomTemplate", ""), ("tables", "5"));
        var (kumasi, kumasiEmail, kumasiProfile, kisumu, kisumuEmail, kisumuProfile) = await PairAsync();
        var (matola, matolaEmail) = await AsAsync(EventRole.Attendee, "Matola");
        var matolaProfile = await _host.Grains.GetGrain<IProfileGrain>($"{Slug}/{matolaEmail}").SaveAsync(Draft("Celeste Mondlane", OrgType.City, "Matola", "Land registry", "Tax app"), true);
        var slots = (await Matchmaking.GetSettingsAsync()).Slots().ToList();

        await kisumu.GetPageAsync($"/events/{Slug}/meetings/availability");
        using var marked = await kisumu.PostFormAsync($"/events/{Slug}/meetings/availability", ("mode", "custom"), ("slot", MatchTimesValue(slots[0])), ("slot", MatchTimesValue(slots[1])), ("refuse", "SolutionProvider"));
        var availability = await kisumu.GetPageAsync($"/events/{Slug}/meetings/availability?saved=1");
        var person = await kumasi.GetPageAsync($"/events/{Slug}/directory/{kisumuProfile.PersonId}");
        using var requested = await kumasi.PostFormAsync($"/events/{Slug}/meetings/requests", ("to", kisumuProfile.PersonId), ("message", "Parking?"), ("slot", MatchTimesValue(slots[0])));
        var first = (await Matchmaking.MineAsync(kisumuEmail)).Incoming.Single();
        await kisumu.GetPageAsync($"/events/{Slug}/meetings/requests/{first.Id}/propose");
        using var proposed = await kisumu.PostFormAsync($"/events/{Slug}/meetings/requests/{first.Id}/propose", ("message", "Later please"), ("slot", MatchTimesValue(slots[1])));
        var requesterSees = WebUtility.HtmlDecode(await kumasi.GetPageAsync($"/events/{Slug}/meetings"));
        var counter = (await Matchmaking.MineAsync(kumasiEmail)).Incoming.Single();
        using var accepted = await kumasi.PostFormAsync($"/events/{Slug}/meetings/requests/{counter.Id}/accept", ("slot", MatchTimesValue(slots[1])));
        await kumasi.GetPageAsync($"/events/{Slug}/meetings/requests/{counter.Id}/reschedule");
        using var moving = await kumasi.PostFormAsync($"/events/{Slug}/meetings/requests/{counter.Id}/reschedule", ("message", "My panel moved"), ("slot", MatchTimesValue(slots[0])));
        var inviteeSees = WebUtility.HtmlDecode(await kisumu.GetPageAsync($"/events/{Slug}/meetings"));
        var move = (await Matchmaking.MineAsync(kisumuEmail)).Incoming.Single(r => r.Replaces is not null);
        using var moved = await kisumu.PostFormAsync($"/events/{Slug}/meetings/requests/{move.Id}/accept", ("slot", MatchTimesValue(slots[0])));
        using var cancelled = await kisumu.PostFormAsync($"/events/{Slug}/meetings/requests/{move.Id}/cancel", ("note", "Flight cancelled"));
        var afterCancel = WebUtility.HtmlDecode(await kumasi.GetPageAsync($"/events/{Slug}/meetings"));
        await organiser.GetPageAsync($"/events/{Slug}/directory/{kumasiProfile.PersonId}");
        using var arranged = await organiser.PostFormAsync($"/events/{Slug}/directory/{kumasiProfile.PersonId}/arrange", ("with", matolaProfile.PersonId), ("slot", MatchTimesValue(slots[2])), ("note", ""));
        using var clash = await organiser.PostFormAsync($"/events/{Slug}/directory/{kisumuProfile.PersonId}/arrange", ("with", matolaProfile.PersonId), ("slot", MatchTimesValue(slots[2])), ("note", ""));
        var matolaSees = WebUtility.HtmlDecode(await matola.GetPageAsync($"/events/{Slug}/meetings"));
        var audit = WebUtility.HtmlDecode(await organiser.GetPageAsync($"/events/{Slug}/audit"));

        Assert.Equal((HttpStatusCode.Found, HttpStatusCode.Found), (settingsSaved, marked.StatusCode));
        Assert.Contains($"value=\"{MatchTimesValue(slots[1])}\" checked", availability);
        Assert.DoesNotContain($"value=\"{MatchTimesValue(slots[2])}\" checked", availability);
        Assert.Contains("value=\"SolutionProvider\" checked", availability);
        Assert.Contains($"value=\"{MatchTimesValue(slots[1])}\"", person);
        Assert.DoesNotContain($"value=\"{MatchTimesValue(slots[2])}\"", person);
        Assert.Equal((HttpStatusCode.Found, HttpStatusCode.Found, HttpStatusCode.Found), (requested.StatusCode, proposed.StatusCode, accepted.StatusCode));
        Assert.Contains("answered with other times", requesterSees);
        Assert.Contains("Later please", requesterSees);
        Assert.Equal(HttpStatusCode.Found, moving.StatusCode);
        Assert.Contains("to move your meeting", inviteeSees);
        Assert.Contains("My panel moved", inviteeSees);
        Assert.Equal((HttpStatusCode.Found, HttpStatusCode.Found), (moved.StatusCode, cancelled.StatusCode));
        Assert.Contains("Flight cancelled", afterCancel);
        Assert.Empty((await Matchmaking.MineAsync(kumasiEmail)).Meetings.Where(m => !m.Cancelled && m.B == kisumuEmail));
        Assert.Equal(HttpStatusCode.Found, arranged.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, clash.StatusCode);
        Assert.Contains("was just taken", WebUtility.HtmlDecode(await clash.Content.ReadAsStringAsync(Ct)));
        Assert.Contains("booked by the organisers", matolaSees);
        Assert.Contains("Kofi Mensah", matolaSees);
        Assert.Contains("matchmaking: booked meeting", audit);
    }

    [Fact]
    public async Task A_meeting_page_shows_the_counterpart_the_room_and_their_phone_only_to_the_two_while_booked_and_my_agenda_and_ics_carry_it()
    {
        OwnServer();
        var (_, saved) = await WindowsThroughTheFormAsync(("place", "Virtual"), ("roomTemplate", "https://meet.example.org/{room}"), ("tables", "0"));
        var (kumasi, kumasiEmail, _, kisumu, kisumuEmail, _) = await PairAsync(kisumuLanguage: "fr");
        var (stranger, _) = await AsAsync(EventRole.Attendee, "Stranger");
        var slots = (await Matchmaking.GetSettingsAsync()).Slots().ToList();
        await kisumu.GetPageAsync($"/events/{Slug}/meetings/availability");
        using var phoneSaved = await kisumu.PostFormAsync($"/events/{Slug}/meetings/availability", ("mode", "default"), ("phone", "+254 700 123 456"));
        using var badPhone = await kisumu.PostFormAsync($"/events/{Slug}/meetings/availability", ("mode", "default"), ("phone", "call me <b>"));
        var request = await Matchmaking.RequestAsync(kumasiEmail, kisumuEmail, "Parking?", [slots[0]]);
        var pending = await Matchmaking.RequestAsync(kisumuEmail, kumasiEmail, "And later?", [slots[2]]);
        var meeting = await Matchmaking.AcceptAsync(kisumuEmail, request.Id, slots[0]);
        using var zoneChosen = await kumasi.GetAsync("/timezone?tz=Asia/Kolkata&returnUrl=/");

        var page = WebUtility.HtmlDecode(await kumasi.GetPageAsync($"/events/{Slug}/meetings/m/{meeting.Id}"));
        using var snooping = await stranger.GetAsync($"/events/{Slug}/meetings/m/{meeting.Id}");
        var agenda = WebUtility.HtmlDecode(await kumasi.GetPageAsync($"/events/{Slug}/my-agenda"));
        var ics = await kumasi.GetPageAsync($"/events/{Slug}/meetings/calendar.ics");
        _host.Clock.Advance(slots[0].AddMinutes(-3) - _host.Clock.GetUtcNow());
        var soon = WebUtility.HtmlDecode(await kumasi.GetPageAsync($"/events/{Slug}/meetings/m/{meeting.Id}"));
        await Matchmaking.CancelAsync(kisumuEmail, request.Id, "Flight moved");
        var afterCancel = WebUtility.HtmlDecode(await kumasi.GetPageAsync($"/events/{Slug}/meetings/m/{meeting.Id}"));
        var icsAfter = await kumasi.GetPageAsync($"/events/{Slug}/meetings/calendar.ics");
        var uid = Regex.Match(ics, @"UID:(\S+)").Groups[1].Value;

        Assert.Equal((HttpStatusCode.Found, HttpStatusCode.Found, HttpStatusCode.BadRequest), (saved, phoneSaved.StatusCode, badPhone.StatusCode));
        Assert.Contains("Un numéro de téléphone contient 6 à 30 chiffres", WebUtility.HtmlDecode(await badPhone.Content.ReadAsStringAsync(Ct)));
        Assert.Contains("Achieng Otieno", page);
        Assert.Contains("Parking data platform", page);
        Assert.Contains($"href=\"{meeting.Place}\"", page);
        Assert.Contains("join with your camera off", page);
        Assert.Contains("If the link fails, call Achieng Otieno: +254 700 123 456.", page);
        Assert.Matches(@"09:00</time>–<time[^>]*>09:20</time></span>\s*<span class=""local"">\(13:30–13:50 your time\)", page);
        Assert.Matches("<p class=\"notice\" role=\"status\"[^>]* hidden", page);
        Assert.DoesNotContain(kisumuEmail, page);
        Assert.Equal(HttpStatusCode.NotFound, snooping.StatusCode);
        Assert.Matches($@"Meeting</span>\s*<a href=""/events/{Slug}/meetings/m/{meeting.Id}"">Achieng Otieno", agenda);
        Assert.Matches($@"Request waiting</span>\s*<a href=""/events/{Slug}/meetings#{pending.Id}"">Achieng Otieno", agenda);
        Assert.Contains("Session</span>", agenda);
        Assert.Contains("SEQUENCE:0", ics);
        Assert.Contains("STATUS:CONFIRMED", ics);
        Assert.Contains("SUMMARY:Meeting with Achieng Otieno", ics);
        Assert.DoesNotMatch("<p class=\"notice\" role=\"status\"[^>]* hidden", soon);
        Assert.Contains("starts in less than 5 minutes", soon);
        Assert.Contains("Flight moved", afterCancel);
        Assert.DoesNotContain("+254", afterCancel);
        Assert.Contains($"UID:{uid}", icsAfter);
        Assert.Contains("SEQUENCE:1", icsAfter);
        Assert.Contains("STATUS:CANCELLED", icsAfter);
    }

    [Fact]
    public async Task After_a_meeting_each_side_taps_how_it_went_organisers_count_it_and_ask_later_and_csv_holds_only_what_each_may_see()
    {
        OwnServer();
        var (organiser, _) = await WindowsThroughTheFormAsync(("place", "Phone"), ("roomTemplate", ""), ("tables", "0"));
        var (kumasi, kumasiEmail, _, kisumu, kisumuEmail, _) = await PairAsync();
        await _host.Grains.GetGrain<IProfileGrain>($"{Slug}/formula@example.org").SaveAsync(Draft("=HYPERLINK(\"http://evil\")", OrgType.Network, "Dakar", "n", "o"), true);
        await _host.Grains.GetGrain<IProfileGrain>($"{Slug}/private@example.org").SaveAsync(Draft("Private Person", OrgType.City, "Nowhere", "n", "o"), false);
        var slots = (await Matchmaking.GetSettingsAsync()).Slots().ToList();
        var meeting = await Matchmaking.ArrangeAsync("organiser@example.org", kumasiEmail, kisumuEmail, slots[0], "Meet");
        _host.Clock.Advance(slots[0].AddMinutes(25) - _host.Clock.GetUtcNow());

        await kumasi.GetPageAsync($"/events/{Slug}/meetings/m/{meeting.Id}");
        using var kumasiSays = await kumasi.PostFormAsync($"/events/{Slug}/meetings/m/{meeting.Id}/feedback", ("feedback", "CooperationPossible"));
        await kisumu.GetPageAsync($"/events/{Slug}/meetings/m/{meeting.Id}");
        using var kisumuSays = await kisumu.PostFormAsync($"/events/{Slug}/meetings/m/{meeting.Id}/feedback", ("feedback", "UsefulNoCooperation"));
        var noLaterYet = WebUtility.HtmlDecode(await kumasi.GetPageAsync($"/events/{Slug}/meetings/m/{meeting.Id}"));
        await organiser.GetPageAsync($"/events/{Slug}/matchmaking/stats");
        using var asked = await organiser.PostFormAsync($"/events/{Slug}/matchmaking/ask-later");
        var laterAsked = WebUtility.HtmlDecode(await kumasi.GetPageAsync($"/events/{Slug}/meetings/m/{meeting.Id}"));
        using var later = await kumasi.PostFormAsync($"/events/{Slug}/meetings/m/{meeting.Id}/later", ("outcome", "PilotStarted"));
        var stats = WebUtility.HtmlDecode(await organiser.GetPageAsync($"/events/{Slug}/matchmaking/stats"));
        var followUps = WebUtility.HtmlDecode(await kisumu.GetPageAsync($"/events/{Slug}/follow-ups"));
        var meetingsCsv = await organiser.GetPageAsync($"/events/{Slug}/matchmaking/meetings.csv");
        var profilesCsv = await organiser.GetPageAsync($"/events/{Slug}/matchmaking/profiles.csv");
        var directoryCsv = await kumasi.GetPageAsync($"/events/{Slug}/directory.csv");
        using var attendeeExport = await kumasi.GetAsync($"/events/{Slug}/matchmaking/meetings.csv");
        var audit = WebUtility.HtmlDecode(await organiser.GetPageAsync($"/events/{Slug}/audit"));

        Assert.Equal((HttpStatusCode.Found, HttpStatusCode.Found, HttpStatusCode.Found, HttpStatusCode.Found), (kumasiSays.StatusCode, kisumuSays.StatusCode, asked.StatusCode, later.StatusCode));
        Assert.Contains("aria-pressed=\"true\">Cooperation possible", noLaterYet);
        Assert.DoesNotContain("What came of this meeting since?", noLaterYet);
        Assert.Contains("What came of this meeting since?", laterAsked);
        Assert.Matches(@"Meetings held</th><td>1</td>", stats);
        Assert.Matches(@"Pilot started</th><td>1</td>", stats);
        Assert.Matches(@"an investor or funder</th><td>1</td><td>0</td><td>1</td><td>1</td>", stats);
        Assert.Contains("Kofi Mensah ↔ Achieng Otieno", followUps);
        Assert.Contains("held · Cooperation possible · Pilot started", followUps);
        Assert.Contains(",Held,CooperationPossible,UsefulNoCooperation,PilotStarted", meetingsCsv);
        Assert.Contains("\"'=HYPERLINK(\"\"http://evil\"\")\"", profilesCsv);
        Assert.Contains("private@example.org", profilesCsv);
        Assert.Contains("Kofi Mensah", directoryCsv);
        Assert.DoesNotContain("Private Person", directoryCsv);
        Assert.DoesNotContain("@", directoryCsv);
        Assert.Equal(HttpStatusCode.Forbidden, attendeeExport.StatusCode);
        Assert.Contains("matchmaking: asked what came of the meetings held", audit);
    }

    [Fact]
    public async Task New_request_mails_come_at_most_once_per_15_minutes_in_the_invitee_s_language_listing_every_request_since_and_a_decline_is_mailed()
    {
        OwnServer();
        await WindowsThroughTheFormAsync(("place", "Virtual"), ("roomTemplate", "https://meet.example.org/{room}"), ("tables", "0"));
        var (_, kumasiEmail, _, _, kisumuEmail, _) = await PairAsync(kisumuLanguage: "fr");
        var (_, matolaEmail) = await AsAsync(EventRole.Attendee, "Matola");
        var (_, dakarEmail) = await AsAsync(EventRole.Attendee, "Dakar");
        await _host.Grains.GetGrain<IProfileGrain>($"{Slug}/{matolaEmail}").SaveAsync(Draft("Celeste Mondlane", OrgType.City, "Matola", "Land registry", "Tax app"), true);
        await _host.Grains.GetGrain<IProfileGrain>($"{Slug}/{dakarEmail}").SaveAsync(Draft("Awa Ndiaye", OrgType.City, "Dakar", "Land registry", "Tax app"), true);
        var slots = (await Matchmaking.GetSettingsAsync()).Slots().ToList();
        bool RequestMail(Events.Web.Mail.StoredMail m) => m.To == kisumuEmail && m.Subject.Contains("demande(s) de rendez-vous", StringComparison.Ordinal);

        var first = await Matchmaking.RequestAsync(kumasiEmail, kisumuEmail, "Parking?", [slots[0]]);
        var firstMail = await _host.MailToAsync(kisumuEmail, "1 nouvelle(s) demande(s) de rendez-vous");
        await Matchmaking.RequestAsync(matolaEmail, kisumuEmail, "Land registry?", [slots[1]]);
        await Matchmaking.RequestAsync(dakarEmail, kisumuEmail, "", [slots[2]]);
        _host.Clock.Advance(TimeSpan.FromMinutes(16));
        await Matchmaking.DeclineAsync(kisumuEmail, first.Id, null);
        var declined = await _host.MailToAsync(kumasiEmail, "Achieng Otieno cannot meet this time");
        var digest = await _host.MailToAsync(kisumuEmail, "2 nouvelle(s) demande(s) de rendez-vous");
        var all = _host.Outbox.ReadAll();

        Assert.Contains("- Kofi Mensah: “Parking?”", firstMail.Body);
        Assert.Contains("/events/city-pilots-pitch-day/meetings#incoming", firstMail.Body);
        Assert.Contains("- Celeste Mondlane: “Land registry?”", digest.Body);
        Assert.Contains("- Awa Ndiaye", digest.Body);
        Assert.DoesNotContain("Kofi Mensah", digest.Body);
        Assert.Equal(2, all.Count(RequestMail));
        Assert.Contains("declined your meeting request", declined.Body);
        Assert.DoesNotContain("@", firstMail.Body + digest.Body + declined.Body);
    }

    [Fact]
    public async Task An_hour_before_a_meeting_both_people_are_reminded_once_each_in_their_own_language_and_a_cancelled_meeting_is_not()
    {
        OwnServer();
        await WindowsThroughTheFormAsync(("place", "Virtual"), ("roomTemplate", "https://meet.example.org/{room}"), ("tables", "0"));
        var (_, kumasiEmail, _, _, kisumuEmail, _) = await PairAsync(kisumuLanguage: "fr");
        var (_, matolaEmail) = await AsAsync(EventRole.Attendee, "Matola");
        await _host.Grains.GetGrain<IProfileGrain>($"{Slug}/{matolaEmail}").SaveAsync(Draft("Celeste Mondlane", OrgType.City, "Matola", "Land registry", "Tax app"), true);
        var slots = (await Matchmaking.GetSettingsAsync()).Slots().ToList();
        var meeting = await Matchmaking.AcceptAsync(kisumuEmail, (await Matchmaking.RequestAsync(kumasiEmail, kisumuEmail, "", [slots[0]])).Id, slots[0]);
        var called = await Matchmaking.RequestAsync(matolaEmail, kumasiEmail, "", [slots[1]]);
        await Matchmaking.AcceptAsync(kumasiEmail, called.Id, slots[1]);
        await Matchmaking.CancelAsync(matolaEmail, called.Id, null);
        bool Reminder(Events.Web.Mail.StoredMail m) => m.Subject.StartsWith("Reminder", StringComparison.Ordinal) || m.Subject.StartsWith("Rappel", StringComparison.Ordinal);
        var before = _host.Outbox.ReadAll().Count(Reminder);

        // Both meetings' reminders are due now; the silo's own look finds them.
        _host.Clock.Advance(slots[1].AddMinutes(-60) - _host.Clock.GetUtcNow());
        var toKumasi = await _host.MailToAsync(kumasiEmail, "Reminder: your meeting with Achieng Otieno");
        var toKisumu = await _host.MailToAsync(kisumuEmail, "Rappel : votre rendez-vous avec Kofi Mensah");
        var nextDue = await Matchmaking.RemindAsync(TimeSpan.FromMinutes(60));
        var outbox = _host.Grains.GetGrain<Events.Grains.Mail.IMailOutboxGrain>(Slug);
        await Eventually.UntilAsync("the event's outbox to have sent every reminder", async () => (await outbox.PendingAsync()).IsEmpty);

        Assert.Equal(0, before);
        Assert.Contains($"/events/{Slug}/meetings/m/{meeting.Id}", toKumasi.Body);
        Assert.Contains("Your meeting with Achieng Otieno is coming up:", toKumasi.Body);
        Assert.Contains("Votre rendez-vous avec Kofi Mensah approche :", toKisumu.Body);
        Assert.DoesNotContain("@", toKumasi.Body + toKisumu.Body);
        Assert.Null(nextDue);
        Assert.Empty(await outbox.PendingAsync());
        Assert.Equal(2, _host.Outbox.ReadAll().Count(Reminder));
    }

    [Fact]
    public async Task A_city_team_member_s_profile_shows_the_team_s_pitch_card_in_brief_with_a_link_to_it_and_no_contact_details()
    {
        await ThemesAsync();
        var (kumasi, _, _, _, _, kisumuProfile) = await PairAsync();
        var (_, matolaEmail) = await AsAsync(EventRole.Presenter, "Matola");
        await _host.Grains.GetGrain<IEventAccessGrain>(Slug).GrantAsync("test", matolaEmail, EventRole.Presenter, "Matola Cidade");
        var matola = await _host.Grains.GetGrain<IProfileGrain>($"{Slug}/{matolaEmail}").SaveAsync(Draft("Celeste Mondlane", OrgType.City, "Matola", "Funding", "Land registry app"), true);
        await _host.Grains.GetGrain<Events.Grains.Pitches.IPitchCardsGrain>(Slug).SaveAsync(matolaEmail, "matola-cidade", new Events.Grains.Pitches.PitchCardContent(
            "Matola Cidade", "Plots registered on *paper* only", "A land registry app for surveyors", "200 plots", "USD 40,000", "A GIS partner", null, null, "Celeste Mondlane", "celeste@matola.example.org"));

        var page = WebUtility.HtmlDecode(await kumasi.GetPageAsync($"/events/{Slug}/directory/{matola.PersonId}"));
        var notATeam = await kumasi.GetPageAsync($"/events/{Slug}/directory/{kisumuProfile.PersonId}");

        Assert.Contains("Pitch: Matola Cidade", page);
        Assert.Contains("Plots registered on <em>paper</em> only", page);
        Assert.Contains("A land registry app for surveyors", page);
        Assert.Contains($"href=\"/events/{Slug}/pitches/matola-cidade\"", page);
        Assert.DoesNotContain("matola.example.org", page);
        Assert.DoesNotContain("id=\"pitch\"", notATeam);
    }

    [Fact]
    public async Task Through_the_live_hub_a_request_and_an_accept_resent_with_their_keys_book_one_meeting_and_the_resend_answers_the_same()
    {
        await WindowsThroughTheFormAsync(("place", "Virtual"), ("roomTemplate", "https://meet.example.org/{room}"), ("tables", "0"));
        var (kumasi, kumasiEmail, _, kisumu, kisumuEmail, kisumuProfile) = await PairAsync();
        var (matola, matolaEmail) = await AsAsync(EventRole.Attendee, "Matola");
        await _host.Grains.GetGrain<IProfileGrain>($"{Slug}/{matolaEmail}").SaveAsync(Draft("Celeste Mondlane", OrgType.City, "Matola", "Land registry", "Tax app"), true);
        var slots = (await Matchmaking.GetSettingsAsync()).Slots().ToList();
        var proposed = $"{MatchTimesValue(slots[0])} {MatchTimesValue(slots[1])}";
        await using var sender = await LiveClient.ConnectAsync(_host, kumasi);
        await using var invitee = await LiveClient.ConnectAsync(_host, kisumu);
        await using var other = await LiveClient.ConnectAsync(_host, matola);

        var requestId = (await sender.InvokeAsync("RequestMeeting", Slug, kisumuProfile.PersonId, "Parking?", proposed, "key-1")).GetString()!;
        var requestAgain = (await sender.InvokeAsync("RequestMeeting", Slug, kisumuProfile.PersonId, "Parking?", proposed, "key-1")).GetString();
        var meetingId = (await invitee.InvokeAsync("AcceptMeeting", Slug, requestId, MatchTimesValue(slots[1]), "key-2")).GetString();

        // The answer was lost with the connection: the browser sends the same input again on a new one.
        await using var reconnected = await LiveClient.ConnectAsync(_host, kisumu);
        var acceptAgain = (await reconnected.InvokeAsync("AcceptMeeting", Slug, requestId, MatchTimesValue(slots[1]), "key-2")).GetString();
        var freshKey = await Assert.ThrowsAsync<HubException>(() => invitee.InvokeAsync("AcceptMeeting", Slug, requestId, MatchTimesValue(slots[0]), "key-3"));
        var second = (await other.InvokeAsync("RequestMeeting", Slug, kisumuProfile.PersonId, "", MatchTimesValue(slots[2]), "key-1")).GetString()!;
        var declined = (await invitee.InvokeAsync("DeclineMeeting", Slug, second, "Not this week", "key-4")).GetString();
        var declinedAgain = (await invitee.InvokeAsync("DeclineMeeting", Slug, second, "Not this week", "key-4")).GetString();
        var noKey = await Assert.ThrowsAsync<HubException>(() => sender.InvokeAsync("RequestMeeting", Slug, kisumuProfile.PersonId, "", proposed, ""));
        var mine = await Matchmaking.MineAsync(kisumuEmail);

        Assert.Equal(requestId, requestAgain);
        Assert.Single((await Matchmaking.MineAsync(kumasiEmail)).Outgoing);
        Assert.Equal(meetingId, acceptAgain);
        Assert.Equal((meetingId, slots[1]), (mine.Meetings.Single().Id, mine.Meetings.Single().Start));
        Assert.Contains("nothing was changed", freshKey.Message);
        Assert.Equal((second, second), (declined, declinedAgain));
        Assert.Equal(RequestStatus.Declined, mine.Incoming.Single(r => r.Id == second).Status);
        Assert.Contains("idempotency key", noKey.Message);
    }

    [Fact]
    public async Task A_person_who_did_not_consent_is_never_suggested_nor_found_even_when_they_offer_exactly_what_the_viewer_needs()
    {
        await ThemesAsync();
        var (kumasi, _, _, _, kisumuEmail, _) = await PairAsync();
        var (_, secretEmail) = await AsAsync(EventRole.Attendee, "Secret");
        var secret = await _host.Grains.GetGrain<IProfileGrain>($"{Slug}/{secretEmail}").SaveAsync(Draft("Secret Person", OrgType.Investor, "Nowhere", "Pilots to fund", "Mobility data"), listed: false);

        var suggestions = WebUtility.HtmlDecode(await kumasi.GetPageAsync($"/events/{Slug}/suggestions"));
        var search = WebUtility.HtmlDecode(await kumasi.GetPageAsync($"/events/{Slug}/directory?offers=true"));
        using var client = _host.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/events/{Slug}/directory/{secret.PersonId}");
        request.Headers.Add("Cookie", string.Join("; ", kumasi.Cookies.Select(c => $"{c.Key}={c.Value}")));
        using var person = await client.SendAsync(request, Ct);

        Assert.Contains("Achieng Otieno", suggestions);
        Assert.DoesNotContain("Secret Person", suggestions + search);
        Assert.DoesNotContain(kisumuEmail, suggestions);
        Assert.DoesNotContain(secretEmail, suggestions + search);
        Assert.Equal(HttpStatusCode.NotFound, person.StatusCode);
    }

    [Fact]
    public async Task An_investor_is_suggested_the_team_whose_pitch_they_scored_high_and_told_why()
    {
        await ThemesAsync();
        var (_, _, _, kisumu, kisumuEmail, _) = await PairAsync();
        var (_, bizerteEmail) = await AsAsync(EventRole.Presenter, "Bizerte");
        await _host.Grains.GetGrain<IEventAccessGrain>(Slug).GrantAsync("test", bizerteEmail, EventRole.Presenter, "Bizerte");
        await _host.Grains.GetGrain<IProfileGrain>($"{Slug}/{bizerteEmail}").SaveAsync(Draft("Amel Ben Salah", OrgType.City, "Bizerte", "Funding", "Waste pilot"), true);
        var room = _host.Grains.GetGrain<Events.Grains.Pitches.IPitchRoomGrain>($"{Slug}/s4");
        await room.ControlAsync(DemoEvent.OrganiserEmail, "bizerte", Events.Grains.Pitches.PitchControl.StartPitch, 8);
        await room.ControlAsync(DemoEvent.OrganiserEmail, "bizerte", Events.Grains.Pitches.PitchControl.OpenScoring, 0);
        await room.SaveScorecardAsync(kisumuEmail, "bizerte", new(Enumerable.Range(1, 5).ToDictionary(i => $"c{i}", _ => 5), "Clear", "", Events.Grains.Pitches.Interest.FollowUp, false), null);

        var suggestions = WebUtility.HtmlDecode(await kisumu.GetPageAsync($"/events/{Slug}/suggestions"));

        Assert.Contains("You scored the pitch of Bizerte 5 out of 5.", suggestions);
    }

    // Kofi of Kumasi (a city, attendee) and Achieng of Kisumu (an investor), signed in, with profiles.
    private async Task<(TestBrowser Kumasi, string KumasiEmail, MatchProfile KumasiProfile, TestBrowser Kisumu, string KisumuEmail, MatchProfile KisumuProfile)> PairAsync(string? kisumuLanguage = null)
    {
        var (kumasi, kumasiEmail) = await AsAsync(EventRole.Attendee, "Kumasi");
        var (kisumu, kisumuEmail) = await AsAsync(EventRole.Investor, "Kisumu", kisumuLanguage);
        var kumasiProfile = await _host.Grains.GetGrain<IProfileGrain>($"{Slug}/{kumasiEmail}").SaveAsync(Draft("Kofi Mensah", OrgType.City, "Kumasi", "Mobility data", "Market app"), true);
        var kisumuProfile = await _host.Grains.GetGrain<IProfileGrain>($"{Slug}/{kisumuEmail}").SaveAsync(Draft("Achieng Otieno", OrgType.Investor, "Kisumu", "Pilots to fund", "Parking data platform"), true);
        return (kumasi, kumasiEmail, kumasiProfile, kisumu, kisumuEmail, kisumuProfile);
    }

    // An organiser sets one meeting window (09:00–10:00, two days ahead: three 20-minute slots)
    // through the settings form, with the given place fields.
    private async Task<(TestBrowser Organiser, HttpStatusCode Saved)> WindowsThroughTheFormAsync(params (string, string)[] place)
    {
        await ThemesAsync();
        var (organiser, _) = await AsAsync(EventRole.Organiser, "Organiser");
        var day = _host.Clock.GetUtcNow().UtcDateTime.Date.AddDays(2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await organiser.GetPageAsync($"/events/{Slug}/matchmaking");
        (string, string)[] fields = [("themes", "Mobility\nLand\nOpen data"), ("windows", $"{day} 09:00-10:00"), ("slotMinutes", "20"), ("maxOutgoing", "10"), ("requestHours", "48"), .. place];
        using var saved = await organiser.PostFormAsync($"/events/{Slug}/matchmaking", fields);
        return (organiser, saved.StatusCode);
    }

    private static string MatchTimesValue(DateTimeOffset slot) => Events.Web.Matchmaking.MatchTimes.Value(slot);

    private async Task<(int Bytes, string Html)> BrotliAsync(TestBrowser browser, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("br"));
        request.Headers.Add("Cookie", string.Join("; ", browser.Cookies.Select(c => $"{c.Key}={c.Value}")));
        using var client = _host.CreateHttpClient();
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["br"], response.Content.Headers.ContentEncoding);
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);
        using var decoded = new BrotliStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var reader = new StreamReader(decoded, Encoding.UTF8);

        // Headers count too: they cross the same link.
        var headers = response.Headers.ToString().Length + response.Content.Headers.ToString().Length;
        return (bytes.Length + headers, await reader.ReadToEndAsync(Ct));
    }

    [GeneratedRegex("href=\"/events/city-pilots-pitch-day/directory/[0-9a-f]{20}\"")]
    private static partial Regex PersonLink();
}
