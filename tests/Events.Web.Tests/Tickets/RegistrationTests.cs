using System.Net;
using Events.Grains.People;
using Events.Grains.Tickets;

namespace Events.Web.Tests.Tickets;

public sealed class RegistrationTests(TicketsRun run)
{
    [Fact]
    public async Task A_free_registration_gives_the_role_at_once_and_mails_a_sign_in_link_the_ticket_and_the_calendar()
    {
        var site = await run.SiteAsync();
        var (slug, organiser) = await site.NewEventAsync();
        var type = await site.AddTypeAsync(slug, organiser, "General admission", 100);
        var email = TicketsSite.NewEmail("amina");
        using var visitor = new TestBrowser(site.Host);

        var page = await visitor.GetPageAsync($"/events/{slug}/register");
        Assert.Contains("General admission", page);
        Assert.DoesNotContain("<script", page);
        using var posted = await visitor.PostFormAsync($"/events/{slug}/register", TicketsSite.Registration(type.Id, email));

        Assert.Equal(HttpStatusCode.Found, posted.StatusCode);
        var orderPath = posted.Headers.Location!.OriginalString;
        Assert.StartsWith($"/events/{slug}/register/", orderPath);
        Assert.Contains("You are registered", await visitor.GetPageAsync(orderPath));
        Assert.Equal(EventRole.Attendee, (await site.Grains.GetGrain<IEventAccessGrain>(slug).GetMembershipAsync(email))!.Roles);
        var mail = await site.Host.MailToAsync(email, "Your ticket for City Pilots Day");
        Assert.Contains("General admission", mail.Body);
        Assert.Contains($"/events/{slug}/calendar.ics", mail.Body);

        // Someone else typing the same address learns nothing of the order.
        using var stranger = new TestBrowser(site.Host);
        await stranger.GetPageAsync($"/events/{slug}/register");
        using var again = await stranger.PostFormAsync($"/events/{slug}/register", TicketsSite.Registration(type.Id, email, "Someone Else"));
        var againPage = await again.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("is already registered", againPage);
        Assert.DoesNotContain(orderPath.Split('/')[^1], againPage);
        Assert.Single((await site.Grains.GetGrain<ITicketOfficeGrain>(slug).GetAsync()).Orders);

        // The mail's link signs the registrant in, and "my tickets" shows the ticket.
        using var holder = new TestBrowser(site.Host);
        var linkPage = await holder.GetPageAsync(new Uri(TestBrowser.LinkIn(mail.Body)).PathAndQuery);
        var token = System.Text.RegularExpressions.Regex.Match(linkPage, "name=\"token\" value=\"([^\"]+)\"").Groups[1].Value;
        using var signedIn = await holder.PostFormAsync("/signin/link", ("token", System.Net.WebUtility.HtmlDecode(token)));
        Assert.True(holder.IsSignedIn);
        var mine = await holder.GetPageAsync("/my/tickets");
        Assert.Contains("City Pilots Day", mine);
        Assert.Contains("Confirmed", mine);
        Assert.Contains($"/events/{slug}/calendar.ics", mine);

        // The holder cancels it themselves: the seat and the role go back.
        var orderId = orderPath.Split('/')[^1];
        using var cancelled = await holder.PostFormAsync($"/my/tickets/{slug}/{orderId}/cancel");
        Assert.Equal(HttpStatusCode.Found, cancelled.StatusCode);
        Assert.Equal(OrderStatus.Cancelled, (await site.Grains.GetGrain<ITicketOfficeGrain>(slug).GetOrderAsync(orderId))!.Status);
        Assert.Null(await site.Grains.GetGrain<IEventAccessGrain>(slug).GetMembershipAsync(email));
        await site.Host.MailToAsync(email, "Your ticket for City Pilots Day is cancelled");
    }

    // Control characters in any form field are refused before the form reaches an endpoint (Security/ControlCharacterTests).
    [Theory]
    [InlineData("", "Veuillez saisir un nom.")]
    [InlineData("<script>alert(1)</script>", "Veuillez ne pas utiliser les caractères < et >.")]
    [InlineData(null, "Un champ peut compter au plus 200 caractères ; celui-ci en a 10240.")]
    public async Task Hostile_or_empty_input_is_refused_in_the_visitors_language_and_nothing_is_stored(string? name, string message)
    {
        var site = await run.SiteAsync();
        var (slug, organiser) = await site.NewEventAsync();
        var type = await site.AddTypeAsync(slug, organiser, "General admission", 100);
        var email = TicketsSite.NewEmail("hostile");
        using var visitor = new TestBrowser(site.Host) { AcceptLanguage = "fr" };
        await visitor.GetPageAsync($"/events/{slug}/register");

        using var refused = await visitor.PostFormAsync($"/events/{slug}/register", TicketsSite.Registration(type.Id, email, name ?? new string('x', 10_240)));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var html = await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains(message, WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(html, "id=\"register-error\">([^<]*)<").Groups[1].Value));
        Assert.Empty((await site.Grains.GetGrain<ITicketOfficeGrain>(slug).GetAsync()).Orders);
        Assert.Empty(await site.Grains.GetGrain<ITicketWalletGrain>(email).ListAsync());
        Assert.Null(await site.Grains.GetGrain<IEventAccessGrain>(slug).GetMembershipAsync(email));
    }

    [Fact]
    public async Task Twenty_concurrent_registrations_for_the_last_five_seats_give_five_tickets_and_fifteen_plain_sold_out_answers()
    {
        var site = await run.SiteAsync();
        var (slug, organiser) = await site.NewEventAsync(capacity: 5);
        var type = await site.AddTypeAsync(slug, organiser, "General admission", 100);
        var browsers = Enumerable.Range(0, 20).Select(_ => new TestBrowser(site.Host)).ToList();
        foreach (var browser in browsers)
        {
            await browser.GetPageAsync($"/events/{slug}/register");
        }

        var answers = await Task.WhenAll(browsers.Select(async (b, i) =>
        {
            using var response = await b.PostFormAsync($"/events/{slug}/register", TicketsSite.Registration(type.Id, TicketsSite.NewEmail($"buyer{i}")));
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }));

        Assert.Equal(5, answers.Count(a => a.StatusCode == HttpStatusCode.Found));
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.Found), a =>
        {
            Assert.Equal(HttpStatusCode.BadRequest, a.StatusCode);
            Assert.Contains("is sold out", a.Body);
        });
        var view = await site.Grains.GetGrain<ITicketOfficeGrain>(slug).GetAsync();
        Assert.Equal(5, view.Types.Single().Sold);
        browsers.ForEach(b => b.Dispose());
    }

    [Fact]
    public async Task Approval_tickets_wait_for_the_organiser_who_approves_or_declines_and_both_are_mailed_and_audited()
    {
        var site = await run.SiteAsync();
        var (slug, organiser) = await site.NewEventAsync();
        var pass = await site.AddTypeAsync(slug, organiser, "Investor pass", 10, access: TicketAccess.Approval);
        var (yes, no) = (TicketsSite.NewEmail("fund"), TicketsSite.NewEmail("other-fund"));
        using var visitor = new TestBrowser(site.Host);
        var orders = new List<string>();
        foreach (var email in new[] { yes, no })
        {
            await visitor.GetPageAsync($"/events/{slug}/register");
            using var posted = await visitor.PostFormAsync($"/events/{slug}/register", TicketsSite.Registration(pass.Id, email));
            orders.Add(posted.Headers.Location!.OriginalString.Split('/')[^1]);
            await site.Host.MailToAsync(email, "Your request for City Pilots Day is with the organisers");
        }

        Assert.Null(await site.Grains.GetGrain<IEventAccessGrain>(slug).GetMembershipAsync(yes));
        using var staff = new TestBrowser(site.Host);
        await staff.SignInAsync(organiser);
        var list = await staff.GetPageAsync($"/events/{slug}/orders?status=AwaitingApproval");
        Assert.Contains(yes, list);
        using var approved = await staff.PostFormAsync($"/events/{slug}/orders/{orders[0]}", ("action", "Approve"));
        using var declined = await staff.PostFormAsync($"/events/{slug}/orders/{orders[1]}", ("action", "Decline"));

        Assert.Equal(HttpStatusCode.Found, approved.StatusCode);
        Assert.Equal(EventRole.Attendee, (await site.Grains.GetGrain<IEventAccessGrain>(slug).GetMembershipAsync(yes))!.Roles);
        Assert.Null(await site.Grains.GetGrain<IEventAccessGrain>(slug).GetMembershipAsync(no));
        await site.Host.MailToAsync(yes, "Your ticket for City Pilots Day");
        await site.Host.MailToAsync(no, "Your request for City Pilots Day was declined");
        await TicketsSite.EventuallyAsync(async () => (await staff.GetPageAsync($"/events/{slug}/audit")).Contains($"declined order {orders[1]}", StringComparison.Ordinal), "the decline in the audit trail");
    }

    [Fact]
    public async Task Organisers_manage_types_search_orders_check_people_in_and_export_csv()
    {
        // A site of its own: it needs payments switched off, which is the whole server's configuration.
        await using var site = await TicketsSite.StartAsync(payments: false);
        var (slug, organiser) = await site.NewEventAsync(capacity: 50);
        using var staff = new TestBrowser(site.Host);
        await staff.SignInAsync(organiser);
        await staff.GetPageAsync($"/events/{slug}/tickets");
        using var saved = await staff.PostFormAsync($"/events/{slug}/tickets",
            ("name", "City team"), ("price", ""), ("currency", ""), ("quantity", "20"), ("salesStart", ""), ("salesEnd", ""),
            ("role", "Presenter"), ("access", "InvitationCode"), ("code", "MATOLA-27"), ("mayCancel", "on"));
        using var paid = await staff.PostFormAsync($"/events/{slug}/tickets",
            ("name", "Supporter"), ("price", "5000"), ("currency", "XOF"), ("quantity", "20"), ("role", "Attendee"), ("access", "Open"));
        Assert.Equal(HttpStatusCode.Found, saved.StatusCode);
        var types = (await site.Grains.GetGrain<ITicketOfficeGrain>(slug).GetAsync()).Types;
        Assert.Equal(5000, types.Single(t => t.Type.Name == "Supporter").Type.Price);

        // Without Stripe keys, the paid ticket says payments are off, and the free one works.
        var email = TicketsSite.NewEmail("matola");
        using var visitor = new TestBrowser(site.Host);
        var register = await visitor.GetPageAsync($"/events/{slug}/register");
        Assert.Contains("payments are off", register);
        using var refused = await visitor.PostFormAsync($"/events/{slug}/register", TicketsSite.Registration(types[1].Type.Id, TicketsSite.NewEmail("payer")));
        Assert.Contains("Payments are off on this site", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        using var registered = await visitor.PostFormAsync($"/events/{slug}/register", [.. TicketsSite.Registration(types[0].Type.Id, email), ("code", "MATOLA-27")]);
        var orderId = registered.Headers.Location!.OriginalString.Split('/')[^1];
        Assert.Equal(EventRole.Presenter, (await site.Grains.GetGrain<IEventAccessGrain>(slug).GetMembershipAsync(email))!.Roles);

        Assert.Contains(email, await staff.GetPageAsync($"/events/{slug}/orders?q=bizerte"));
        Assert.DoesNotContain(email, await staff.GetPageAsync($"/events/{slug}/orders?q=nobody-like-this"));
        Assert.Contains("1 of 50 seats taken", await staff.GetPageAsync($"/events/{slug}/tickets"));
        await staff.GetPageAsync($"/events/{slug}/check-in");
        using var present = await staff.PostFormAsync($"/events/{slug}/orders/{orderId}", ("action", "CheckIn"), ("returnTo", "check-in"));
        Assert.Equal($"/events/{slug}/check-in#{orderId}", present.Headers.Location!.OriginalString);
        Assert.Contains("1 of 1 present", await staff.GetPageAsync($"/events/{slug}/check-in"));
        using var resent = await staff.PostFormAsync($"/events/{slug}/orders/{orderId}", ("action", "ResendConfirmation"));
        await TicketsSite.EventuallyAsync(() => Task.FromResult(site.MailCount(email, "Your ticket for City Pilots Day") == 2), "the resent confirmation");

        using var csv = await staff.GetAsync($"/events/{slug}/orders.csv");
        var text = await csv.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.StartsWith("order,status,ticket,", text);
        Assert.Contains($"{orderId},Confirmed,\"City team\",0.00,,\"Amina Diallo\",\"{email}\"", text);
        Assert.Contains(",yes,yes,", text);
        await TicketsSite.EventuallyAsync(async () => (await staff.GetPageAsync($"/events/{slug}/audit")).Contains($"marked order {orderId} present", StringComparison.Ordinal), "the check-in in the audit trail");
    }
}
