using System.IO.Compression;
using System.Net;
using System.Text;
using Events.Silo;
using Events.Web.Offline;

namespace Events.Web.Tests.Offline;

// What a phone on a metered link gets over plain HTTP: Save-Data honoured, and a service worker
// small enough to be worth its bytes, which the server can switch off.
// The tests only read the demo event, on the run's servers: copies on (the default) or off.
public sealed class SlowLinkHttpTests(RunHost run, CopiesOffHost off)
{
    private static readonly string RefreshingAgenda = $"/events/{DemoEvent.Slug}?refresh=60";

    private Task<EventsHost> Host(bool copies = true) => CopiesOffHost.EitherAsync(run, off, copies);

    private static async Task<(HttpResponseMessage Response, string Html)> GetAsync(HttpClient client, string path, bool saveData, string? cookie = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (saveData)
        {
            request.Headers.Add("Save-Data", "on");
        }

        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return (response, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task With_save_data_a_page_does_not_refresh_itself_and_says_so_once()
    {
        using var client = (await Host()).CreateHttpClient();

        var (plain, plainHtml) = await GetAsync(client, RefreshingAgenda, saveData: false);
        Assert.Contains("http-equiv=\"refresh\" content=\"60\"", plainHtml);
        Assert.DoesNotContain("Data saver is on", plainHtml);
        plain.Dispose();

        var (first, firstHtml) = await GetAsync(client, RefreshingAgenda, saveData: true);
        Assert.DoesNotContain("http-equiv=\"refresh\"", firstHtml);
        Assert.Contains("Data saver is on: pages do not refresh on their own", firstHtml);
        var cookie = first.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(SaveData.NotedCookie + "=", StringComparison.Ordinal)).Split(';')[0];
        first.Dispose();

        var (second, secondHtml) = await GetAsync(client, RefreshingAgenda, saveData: true, cookie);
        Assert.DoesNotContain("http-equiv=\"refresh\"", secondHtml);
        Assert.DoesNotContain("Data saver is on", secondHtml);
        Assert.DoesNotContain("?refresh=60\"", secondHtml);
        second.Dispose();
    }

    [Fact]
    public async Task The_worker_is_at_most_4_KB_compressed_and_never_cached_without_asking()
    {
        using var client = (await Host()).CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, OfflineCopies.WorkerPath);
        request.Headers.Add("Accept-Encoding", "br");

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var compressed = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("br", Assert.Single(response.Content.Headers.ContentEncoding));
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.InRange(compressed.Length, 1, 4096);
        using var brotli = new BrotliStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var reader = new StreamReader(brotli, Encoding.UTF8);
        Assert.Contains("Offline-Copy", await reader.ReadToEndAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task The_agenda_is_kept_as_a_public_copy_for_a_visitor_and_an_error_page_is_not_kept()
    {
        using var client = (await Host()).CreateHttpClient();

        var (agenda, agendaHtml) = await GetAsync(client, $"/events/{DemoEvent.Slug}", saveData: false);
        var (missing, _) = await GetAsync(client, "/events/no-such-event", saveData: false);

        Assert.Equal("public", Assert.Single(agenda.Headers.GetValues(OfflineCopies.CopyHeader)));
        Assert.Equal("-", Assert.Single(agenda.Headers.GetValues(OfflineCopies.OwnerHeader)));
        Assert.Contains("id=\"offline-copy\"", agendaHtml);
        Assert.False(missing.Headers.Contains(OfflineCopies.CopyHeader));
        agenda.Dispose();
        missing.Dispose();
    }

    [Fact]
    public async Task Switched_off_the_server_sends_a_worker_that_removes_the_copies_and_itself_and_pages_ask_for_none()
    {
        using var client = (await Host(copies: false)).CreateHttpClient();

        var (worker, script) = await GetAsync(client, OfflineCopies.WorkerPath, saveData: false);
        var (agenda, agendaHtml) = await GetAsync(client, $"/events/{DemoEvent.Slug}", saveData: false);

        Assert.Equal(HttpStatusCode.OK, worker.StatusCode);
        Assert.Contains("caches.delete", script);
        Assert.Contains("registration.unregister()", script);
        Assert.DoesNotContain("Offline-Copy", script);
        Assert.False(agenda.Headers.Contains(OfflineCopies.CopyHeader));
        Assert.DoesNotContain("id=\"offline-copy\"", agendaHtml);
        worker.Dispose();
        agenda.Dispose();
    }
}
