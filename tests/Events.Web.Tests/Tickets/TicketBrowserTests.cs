using Events.Grains.Tickets;
using Events.Web.Tests.Browser;
using Microsoft.Playwright;

namespace Events.Web.Tests.Tickets;

public sealed class TicketBrowserTests(Chromium chromium, TicketsRun run)
{
    [Fact]
    public async Task Registering_works_in_chromium_without_javascript_and_the_page_fits_the_first_view_budget()
    {
        var site = await run.SiteAsync();
        var (slug, organiser) = await site.NewEventAsync(capacity: 100);
        await site.AddTypeAsync(slug, organiser, "General admission", 100);
        await site.AddTypeAsync(slug, organiser, "Delegate", 10, price: 1500);
        var email = TicketsSite.NewEmail("chromium");
        await using var context = await chromium.NewContextAsync(site.Host, javaScript: false);
        var page = await context.NewPageAsync();
        var transfers = await TransferLog.AttachAsync(page);

        await page.GotoAsync(new Uri(site.Host.BaseAddress, $"/events/{slug}/register").ToString(), new() { WaitUntil = WaitUntilState.Load });
        var firstView = transfers.Bytes((_, type) => type is "Document" or "Stylesheet");
        Assert.True(firstView <= BudgetTests.FirstViewBudget, $"HTML + CSS took {firstView} bytes (budget {BudgetTests.FirstViewBudget}):\n{transfers.Describe()}");

        await page.GetByLabel("Your name").FillAsync("Kwame Mensah");
        await page.GetByLabel("Email address").FillAsync(email);
        await page.GetByLabel("Organisation or city").FillAsync("Kumasi Metropolitan Assembly");
        await page.GetByLabel("Accessibility needs (optional)").FillAsync("Captions, please");
        await page.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();

        await page.Locator("#order-status").WaitForAsync();
        Assert.Contains("You are registered", await page.Locator("#order-status").InnerTextAsync());
        var order = (await site.Grains.GetGrain<ITicketOfficeGrain>(slug).GetAsync()).Orders.Single();
        Assert.Equal(("Kwame Mensah", "Captions, please", OrderStatus.Confirmed), (order.Registrant.Name, order.Registrant.AccessibilityNeeds, order.Status));
    }

    [Fact]
    public async Task Ticket_pages_have_no_serious_or_critical_accessibility_violations()
    {
        var site = await run.SiteAsync();
        var (slug, organiser) = await site.NewEventAsync(capacity: 100);
        var type = await site.AddTypeAsync(slug, organiser, "General admission", 100);
        await site.AddTypeAsync(slug, organiser, "Investor pass", 10, access: TicketAccess.Approval);
        var email = TicketsSite.NewEmail("axe");
        var order = await site.Grains.GetGrain<ITicketOfficeGrain>(slug).RegisterAsync(new RegistrationRequest(type.Id,
            new Registrant("Ama Owusu", email, "Kumasi", "Kumasi", "Ghana", "en", "", true), null));
        using var staff = new TestBrowser(site.Host);
        await staff.SignInAsync(organiser);
        using var holder = new TestBrowser(site.Host);
        await holder.SignInAsync(email);
        await using var organiserContext = await chromium.NewContextAsync(site.Host, staff, bypassCsp: true);
        await using var holderContext = await chromium.NewContextAsync(site.Host, holder, bypassCsp: true);

        var violations = new List<string>();
        foreach (var path in new[] { $"/events/{slug}/register", $"/events/{slug}/register/{order.Id}", "/my/tickets" })
        {
            violations.AddRange(await AccessibilityTests.ViolationsAsync(holderContext, site.Host.BaseAddress, path));
        }

        foreach (var path in new[] { $"/events/{slug}/tickets", $"/events/{slug}/tickets/{type.Id}/edit", $"/events/{slug}/orders", $"/events/{slug}/check-in" })
        {
            violations.AddRange(await AccessibilityTests.ViolationsAsync(organiserContext, site.Host.BaseAddress, path));
        }

        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }
}
