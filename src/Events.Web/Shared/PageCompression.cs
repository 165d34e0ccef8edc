using System.IO.Compression;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Web.Shared;

// Pages are small but 2G is slower: HTML is compressed per response, Brotli first, gzip for older
// browsers. Static assets are not compressed here: they are precompressed at build at the best
// level (compressing them again breaks them), and event streams must not be buffered.
public static class PageCompression
{
    // Brotli quality 4 (Optimal), not 11 (SmallestSize): 11 spent 9-13 ms of CPU on an 8.7 KB
    // agenda page, 4 about 0.1 ms for ~400 more bytes (2.6-2.7 KB instead of 2.3 KB), well inside
    // the 14 KB first-view budget. Each page is compressed once per view, so CPU is what counts.
    public const CompressionLevel HtmlLevel = CompressionLevel.Optimal;

    public static IServiceCollection AddPageCompression(this IServiceCollection services)
    {
        services.AddResponseCompression(options =>
        {
            options.EnableForHttps = true;
            options.MimeTypes = ["text/html"];
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
        });
        services.Configure<BrotliCompressionProviderOptions>(o => o.Level = HtmlLevel);
        services.Configure<GzipCompressionProviderOptions>(o => o.Level = HtmlLevel);
        return services;
    }
}
