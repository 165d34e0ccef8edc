using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Events.Web.Shared;

// A live region's refetch may name the rendering the page already shows: `since`, the sequence
// number of that rendering, and `view`, a digest of everything its parts depend on besides their
// own data (who is looking, with which rights, language and time zone). Parts unchanged since then
// come back as empty placeholders (`data-keep`) that live.js fills with the elements it has; on 2G
// those parts are most of a refetch's bytes. Any doubt (no since, another digest, a sequence ahead of
// the grain's) gives the full rendering, as does a page whose placeholders it cannot fill.
public sealed record RegionRefetch(long Since, string View)
{
    public static RegionRefetch? From(HttpRequest request) =>
        long.TryParse(request.Query["since"], NumberStyles.None, CultureInfo.InvariantCulture, out var since)
        && request.Query["view"].ToString() is { Length: > 0 and <= 32 } view
            ? new RegionRefetch(since, view)
            : null;

    // Whether a part last changed at partVersion can stay as the page has it.
    public bool Keeps(string view, long regionVersion, long partVersion) =>
        View == view && Since <= regionVersion && partVersion <= Since;

    public static string Digest(params IEnumerable<object?> inputs) =>
        WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', inputs.Select(input => Convert.ToString(input, CultureInfo.InvariantCulture))))), 0, 9);
}
