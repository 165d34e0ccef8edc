namespace Events.Web.Security;

public sealed class SiteOptions
{
    public const string Section = "Site";

    // The address people reach this server at. Links in mail are built from it, never from the
    // request's Host header (which an attacker can choose).
    public string PublicUrl { get; set; } = "http://127.0.0.1:5080";

    public string Link(string pathAndQuery) => PublicUrl.TrimEnd('/') + pathAndQuery;
}
