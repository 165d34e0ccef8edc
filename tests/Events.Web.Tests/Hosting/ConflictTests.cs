using System.Net;
using Events.Grains.People;
using Events.Silo;

namespace Events.Web.Tests.Hosting;

// Two installations wrongly pointed at one SQLite file are two clusters, each with its own copy of
// a grain. A write decided on a stale copy is refused with a plain page, stores nothing, and the
// next attempt works on fresh state.
public sealed class ConflictTests
{
    private const string Page = $"/events/{DemoEvent.Slug}/qa/s4";

    [Fact]
    public async Task A_write_that_meets_another_writer_is_refused_with_a_409_page_and_the_next_one_is_saved()
    {
        var folder = EventsHost.NewDataFolder();
        try
        {
            await using var first = new EventsHost(folder);
            using var amara = await AttendeeAsync(first, "amara");
            await using var second = new EventsHost(folder);
            using var bola = await AttendeeAsync(second, "bola");

            await amara.GetPageAsync(Page);
            using (var asked = await amara.PostFormAsync($"{Page}/questions", ("text", "First from the first"), ("idempotencyKey", "c-1")))
            {
                Assert.Equal(HttpStatusCode.Found, asked.StatusCode);
            }

            await bola.GetPageAsync(Page);
            using (var asked = await bola.PostFormAsync($"{Page}/questions", ("text", "First from the second"), ("idempotencyKey", "c-2")))
            {
                Assert.Equal(HttpStatusCode.Found, asked.StatusCode);
            }

            await amara.GetPageAsync(Page);
            using (var stale = await amara.PostFormAsync($"{Page}/questions", ("text", "Decided on a stale board"), ("idempotencyKey", "c-3")))
            {
                Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
                Assert.Contains("Someone else changed this at the same moment, so nothing you sent was saved.", await stale.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            }

            using (var again = await amara.PostFormAsync($"{Page}/questions", ("text", "Sent again"), ("idempotencyKey", "c-4")))
            {
                Assert.Equal(HttpStatusCode.Found, again.StatusCode);
            }

            var html = await amara.GetPageAsync(Page);
            Assert.Contains("First from the second", html);
            Assert.Contains("Sent again", html);
            Assert.DoesNotContain("Decided on a stale board", html);
        }
        finally
        {
            EventsHost.DeleteDataFolder(folder);
        }
    }

    private static async Task<TestBrowser> AttendeeAsync(EventsHost host, string name)
    {
        var email = $"{name}-{Guid.NewGuid():N}@kumasi.example.org";
        await host.Grains.GetGrain<IEventAccessGrain>(DemoEvent.Slug).GrantAsync("test", email, EventRole.Attendee, null);
        var browser = new TestBrowser(host);
        await browser.SignInAsync(email);
        return browser;
    }
}
