using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Events.Web.Shared;

public static class Pages
{
    public static RazorComponentResult<MessagePage> Message(int statusCode, string title, string message, string? linkHref = "/", string linkText = "See all events") =>
        new(new { Title = title, Message = message, LinkHref = linkHref, LinkText = linkText }) { StatusCode = statusCode };

    public static RazorComponentResult<MessagePage> NotFound(string message) =>
        Message(StatusCodes.Status404NotFound, "Not found", message);

    // Only paths on this site: "/x" but not "//host" or "/\host".
    public static string LocalOr(string? url, string fallback) =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) ? url : fallback;
}
