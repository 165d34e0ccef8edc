using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;

namespace Events.Web.Security;

// X-Forwarded-For and X-Forwarded-Proto are believed only from the proxies named in
// Site:TrustedProxies (addresses or CIDR networks). Anyone can send those headers, so a peer not
// listed is taken at its socket address: otherwise one client could pick any rate-limit bucket,
// and, behind a proxy that is not listed, every client shares the proxy's one bucket.
public static class TrustedProxies
{
    public static void Configure(ForwardedHeadersOptions options, IEnumerable<string> trusted)
    {
        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        // ASP.NET Core trusts loopback by default; here only what is configured (and with nothing
        // configured the middleware is not used at all: empty lists would mean "trust every peer").
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        // The obsolete list is a separate one the middleware still reads, and holds 127.0.0.0/8.
#pragma warning disable
        options.KnownNetworks.Clear();
#pragma warning restore
        // Walk back through every listed proxy; the first address not listed is the client.
        options.ForwardLimit = null;
        foreach (var entry in trusted.Select(t => t.Trim()).Where(t => t.Length > 0))
        {
            if (entry.Contains('/', StringComparison.Ordinal))
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(entry, out var network)
                    ? network
                    : throw new InvalidOperationException($"Site:TrustedProxies: '{entry}' is not an address or a CIDR network."));
            }
            else
            {
                options.KnownProxies.Add(IPAddress.TryParse(entry, out var address)
                    ? address
                    : throw new InvalidOperationException($"Site:TrustedProxies: '{entry}' is not an address or a CIDR network."));
            }
        }
    }
}
