namespace Events.Web.Security;

public sealed class SiteOptions
{
    public const string Section = "Site";

    // The address people reach this server at. Links in mail are built from it, never from the
    // request's Host header (which an attacker can choose).
    public string PublicUrl { get; set; } = "http://127.0.0.1:5080";

    // Other origins whose pages may open the live connection (Site:AllowedOrigins:0=https://...),
    // besides PublicUrl's own.
    public string[] AllowedOrigins { get; set; } = [];

    // Proxies whose X-Forwarded-For/-Proto are believed (Site:TrustedProxies:0=10.0.0.5, or a
    // CIDR network such as 10.0.0.0/24). None by default.
    public string[] TrustedProxies { get; set; } = [];

    public string Link(string pathAndQuery) => PublicUrl.TrimEnd('/') + pathAndQuery;
}
