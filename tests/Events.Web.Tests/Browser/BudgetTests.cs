using Events.Silo;
using Microsoft.Playwright;

namespace Events.Web.Tests.Browser;

// The bandwidth budgets from DESIGN.md, measured as Chromium transferred the bytes (headers and
// compressed bodies). Sizes only: nothing here depends on how fast this machine is.
// The class's tests share one server; each browses in a context of its own (an empty cache), and
// none writes, so each measures the demo agenda as a first visitor finds it.
public sealed class BudgetTests(Chromium chromium, SharedHost shared) : IClassFixture<SharedHost>
{
    public const long FirstViewBudget = 14_600;
    public const long FirstVisitBudget = 40 * 1024;

    private static readonly string AgendaPath = $"/events/{DemoEvent.Slug}";

    private readonly EventsHost _host = shared.Host;

    private static bool IsPageOrStyle(string url, string type) => type is "Document" or "Stylesheet";

    private static bool IsScript(string url, string type) => type == "Script";

    [Fact]
    public async Task The_agenda_first_view_fits_one_congestion_window_and_the_first_visit_with_scripts_fits_40_KB()
    {
        await using var context = await chromium.NewContextAsync(_host);
        var page = await context.NewPageAsync();
        var transfers = await TransferLog.AttachAsync(page);

        await page.GotoAsync(new Uri(_host.BaseAddress, AgendaPath).ToString(), new() { WaitUntil = WaitUntilState.Load });
        await page.Locator("#live-status[data-state=live]").WaitForAsync();

        var firstView = transfers.Bytes(IsPageOrStyle);
        var withScripts = transfers.Bytes((url, type) => IsPageOrStyle(url, type) || IsScript(url, type));
        TestContext.Current.TestOutputHelper?.WriteLine($"agenda first view (HTML + CSS): {firstView} bytes; first visit with scripts: {withScripts} bytes\n{transfers.Describe()}");
        Assert.True(firstView <= FirstViewBudget, $"HTML + CSS took {firstView} bytes (budget {FirstViewBudget}):\n{transfers.Describe()}");
        Assert.True(withScripts <= FirstVisitBudget, $"First visit took {withScripts} bytes (budget {FirstVisitBudget}):\n{transfers.Describe()}");
        Assert.True(transfers.Bytes(IsScript) > 0, "the first visit should have downloaded the scripts");
    }

    [Fact]
    public async Task A_returning_visitor_downloads_no_script_again()
    {
        await using var context = await chromium.NewContextAsync(_host);
        var page = await context.NewPageAsync();
        var transfers = await TransferLog.AttachAsync(page);
        await page.GotoAsync(new Uri(_host.BaseAddress, AgendaPath).ToString());
        await page.Locator("#live-status[data-state=live]").WaitForAsync();
        transfers.Clear();

        await page.GotoAsync(new Uri(_host.BaseAddress, "/").ToString());
        await page.GotoAsync(new Uri(_host.BaseAddress, AgendaPath).ToString());
        await page.Locator("#live-status[data-state=live]").WaitForAsync();

        Assert.True(transfers.Bytes(IsScript) == 0, $"Scripts were downloaded again:\n{transfers.Describe()}");
        Assert.True(transfers.Bytes((url, type) => type == "Stylesheet") == 0, $"The stylesheet was downloaded again:\n{transfers.Describe()}");
    }

    [Fact]
    public async Task The_agenda_is_readable_on_emulated_2g()
    {
        await using var context = await chromium.NewContextAsync(_host);
        var page = await context.NewPageAsync();
        var transfers = await TransferLog.AttachAsync(page);
        await transfers.Emulate2GAsync();

        await page.GotoAsync(new Uri(_host.BaseAddress, AgendaPath).ToString(), new() { WaitUntil = WaitUntilState.DOMContentLoaded, Timeout = 120_000 });

        // The sessions' own headings: while a session is on now or next, the strip above the agenda
        // links to it by the same title.
        await page.GetByRole(AriaRole.Heading, new() { Name = "Global Mixer: four pilots in thirty minutes" }).WaitForAsync(new() { Timeout = 120_000 });
        await page.GetByRole(AriaRole.Heading, new() { Name = "Pitch room B: revenue and land" }).WaitForAsync(new() { Timeout = 120_000 });
        Assert.True(await page.Locator("h1").IsVisibleAsync());
    }
}
