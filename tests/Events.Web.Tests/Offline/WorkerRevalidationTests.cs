using System.Net;
using Events.Web.Offline;

namespace Events.Web.Tests.Offline;

// Browsers check the service worker at every visit (no-cache): an unchanged worker must cost a 304
// and no bytes on 2G, and a changed one (copies switched off) must not be answered 304 to the old tag.
// On the run's servers: copies on (the default) or off.
public sealed class WorkerRevalidationTests(RunHost run, CopiesOffHost off)
{
    private async Task<HttpClient> Client(bool copies) => (await CopiesOffHost.EitherAsync(run, off, copies)).CreateHttpClient();

    private static async Task<HttpResponseMessage> GetWorkerAsync(HttpClient client, string? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, OfflineCopies.WorkerPath);
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "br");
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task The_worker_answers_304_with_no_body_to_its_own_etag_and_200_to_another()
    {
        using var client = await Client(copies: true);

        using var first = await GetWorkerAsync(client);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var etag = first.Headers.ETag?.ToString();
        Assert.NotNull(etag);
        Assert.Contains("no-cache", first.Headers.CacheControl?.ToString());
        Assert.NotEmpty(await first.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));

        using var again = await GetWorkerAsync(client, etag);
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Equal(etag, again.Headers.ETag?.ToString());
        Assert.Empty(await again.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));

        using var stale = await GetWorkerAsync(client, "\"0000000000000000\"");
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.NotEmpty(await stale.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task With_copies_switched_off_the_old_workers_etag_gets_the_removing_worker_not_a_304()
    {
        using var on = await Client(copies: true);
        using var served = await GetWorkerAsync(on);
        var oldTag = served.Headers.ETag!.ToString();

        using var off = await Client(copies: false);
        using var removing = await GetWorkerAsync(off, oldTag);

        Assert.Equal(HttpStatusCode.OK, removing.StatusCode);
        Assert.NotEqual(oldTag, removing.Headers.ETag?.ToString());
        using var revalidated = await GetWorkerAsync(off, removing.Headers.ETag!.ToString());
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
    }
}
