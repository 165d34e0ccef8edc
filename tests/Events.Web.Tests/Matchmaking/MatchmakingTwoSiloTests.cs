using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Events.Grains.Matchmaking;

namespace Events.Web.Tests.Hosting;

// Matchmaking across two real silos (see TwoSiloTests): what one person does through one silo
// reaches the other person's open page served by the other silo. On the class's shared pair: it
// stops no silo, and it is the only test there that touches the demo event's matchmaking.
public sealed partial class TwoSiloTests
{
    [Fact]
    public async Task An_answer_given_through_one_silo_updates_the_requester_s_open_meetings_page_served_by_the_other()
    {
        var (cluster, a, b) = await SharedPairAsync();
        var organiser = await OrganiserAsync(cluster, a);
        var day = DateTime.UtcNow.Date.AddDays(2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await organiser.GetPageAsync(a, $"/events/{Slug}/matchmaking");
        using (var saved = await organiser.PostFormAsync(a, $"/events/{Slug}/matchmaking", ("themes", "Mobility"), ("windows", $"{day} 09:00-10:00"),
            ("slotMinutes", "20"), ("place", "Tables"), ("roomTemplate", ""), ("tables", "5"), ("maxOutgoing", "10"), ("requestHours", "48")))
        {
            Assert.Equal(HttpStatusCode.Found, saved.StatusCode);
        }

        var people = await PeopleAsync(cluster, organiser, a, "Attendee", 2, [a, b]);
        var (requester, invitee) = (people[0], people[1]);
        foreach (var (person, name, silo) in new[] { (requester, "Kofi Mensah", b), (invitee, "Achieng Otieno", a) })
        {
            await person.GetPageAsync(silo, $"/events/{Slug}/profile");
            using var profile = await person.PostFormAsync(silo, $"/events/{Slug}/profile", ("name", name), ("type", "City"), ("city", "Kisumu"), ("theme", "Mobility"), ("listed", "true"));
            Assert.Equal(HttpStatusCode.Found, profile.StatusCode);
        }

        var inviteeId = PersonIds.Of(Slug, invitee.Email!);
        var slot = Regex.Match(await requester.GetPageAsync(b, $"/events/{Slug}/directory/{inviteeId}"), "name=\"slot\" value=\"([^\"]+)\"").Groups[1].Value;
        using (var requested = await requester.PostFormAsync(b, $"/events/{Slug}/meetings/requests", ("to", inviteeId), ("message", "Parking data?"), ("slot", slot)))
        {
            Assert.Equal(HttpStatusCode.Found, requested.StatusCode);
        }

        var open = await requester.GetPageAsync(b, $"/events/{Slug}/meetings");
        var seq = long.Parse(Regex.Match(open, "data-topic=\"meetings:[^\"]+\" data-seq=\"(\\d+)\"").Groups[1].Value, CultureInfo.InvariantCulture);
        await using var page = await requester.ConnectHubAsync(b);
        await page.SubscribeAsync($"meetings:{Slug}/{PersonIds.Of(Slug, requester.Email!)}", seq);
        var incoming = WebUtility.HtmlDecode(await invitee.GetPageAsync(a, $"/events/{Slug}/meetings"));
        var requestId = Regex.Match(incoming, "/meetings/requests/(r\\d+)/accept").Groups[1].Value;
        using (var accepted = await invitee.PostFormAsync(a, $"/events/{Slug}/meetings/requests/{requestId}/accept", ("slot", slot)))
        {
            Assert.Equal(HttpStatusCode.Found, accepted.StatusCode);
        }

        var delta = await page.NextDeltaAsync(Wait);
        var region = WebUtility.HtmlDecode(await requester.GetPageAsync(b, $"/events/{Slug}/meetings/live"));

        Assert.Contains("Kofi Mensah (Kisumu)", incoming);
        Assert.Contains("Parking data?", incoming);
        Assert.Equal("meetings", delta.GetProperty("k").GetString());
        Assert.True(delta.GetProperty("s").GetInt64() > seq);
        Assert.Contains("Achieng Otieno (Kisumu)", region);
        Assert.Contains("Table 1", region);
        Assert.DoesNotContain(invitee.Email!, region);
    }
}
