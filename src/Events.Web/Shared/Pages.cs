using Events.Web.Localization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Events.Web.Shared;

public static class Pages
{
    // Title and message are keys in the strings files; arguments fill the message's placeholders.
    public static RazorComponentResult<MessagePage> Message(int statusCode, string titleKey, string messageKey, string? linkHref = "/", string? linkTextKey = null, params object?[] arguments)
    {
        var language = Text.LanguageOf(System.Globalization.CultureInfo.CurrentUICulture);
        return new(new
        {
            Title = Text.Get(language, titleKey),
            Message = Text.Format(language, messageKey, arguments),
            LinkHref = linkHref,
            LinkText = linkTextKey is null ? null : Text.Get(language, linkTextKey),
        })
        {
            StatusCode = statusCode,
        };
    }

    public static RazorComponentResult<MessagePage> NoEvent(string slug) =>
        Message(StatusCodes.Status404NotFound, "message.not-found", "message.no-event", "/", null, slug);

    public static RazorComponentResult<MessagePage> NoSession(string slug, string sessionId) =>
        Message(StatusCodes.Status404NotFound, "message.not-found", "problem.SessionMissing", $"/events/{slug}", null, sessionId);

    // The one check for every returnUrl: only paths on this site. Browsers drop tabs and newlines
    // from URLs and read '\' as '/', so "/<TAB>/evil.example" and "/\evil.example" would leave the
    // site ("//evil.example"); control characters also break the Location header. So: a '/' first,
    // no second '/' or '\' right after it, and no control character, space or '\' anywhere.
    public static string LocalOr(string? url, string fallback) =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || url[1] != '/')
            && !url.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c == '\\')
            ? url
            : fallback;
}
