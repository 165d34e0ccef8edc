using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Events.Web.Tests.Hosting;

// Pages are compressed at a fast level (CPU per view is what a crowd costs), static assets at the
// best one (compressed once, at build). Sizes only; no timing.
public sealed class CompressionTests(RunHost run) : OnDemoCopy(run)
{
    // The run's server; the test reads its own copy of the demo event (Slug).
    private readonly EventsHost _host = run.Host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_agenda_is_brotli_compressed_at_a_fast_level_and_static_assets_at_the_best()
    {
        using var client = _host.CreateHttpClient();

        var (page, pageText) = await GetBrotliAsync(client, $"/events/{Slug}");
        var fast = Compress(pageText, 4);
        var best = Compress(pageText, 11);
        TestContext.Current.TestOutputHelper?.WriteLine($"agenda: {Encoding.UTF8.GetByteCount(pageText)} B raw, {page} B served, {fast} B at quality 4, {best} B at quality 11");
        Assert.Contains("Global Mixer", pageText);
        Assert.True(Math.Abs(page - fast) < Math.Abs(page - best), $"The agenda took {page} B: quality 4 gives {fast} B, quality 11 {best} B.");

        var stylesheet = await client.GetStringAsync("/_content/Events.Web/site.css", Ct);
        var (css, _) = await GetBrotliAsync(client, "/_content/Events.Web/site.css");
        Assert.True(css < Compress(stylesheet, 4), $"The stylesheet took {css} B; quality 4 would give {Compress(stylesheet, 4)} B.");
    }

    private static async Task<(int Bytes, string Text)> GetBrotliAsync(HttpClient client, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("br"));
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["br"], response.Content.Headers.ContentEncoding);
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);
        using var decoded = new BrotliStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var reader = new StreamReader(decoded, Encoding.UTF8);
        return (bytes.Length, await reader.ReadToEndAsync(Ct));
    }

    private static int Compress(string text, int quality)
    {
        var input = Encoding.UTF8.GetBytes(text);
        var output = new byte[BrotliEncoder.GetMaxCompressedLength(input.Length)];
        Assert.True(BrotliEncoder.TryCompress(input, output, out var written, quality, 22));
        return written;
    }
}
