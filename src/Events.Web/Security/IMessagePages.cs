using Microsoft.AspNetCore.Http;

namespace Events.Web.Security;

// The page a request refused here gets (forbidden, a stale form, a control character), in the
// person's language. Pages are drawn by the page kit in Shared, which sits above Security (its
// shell shows who is signed in), so Security asks for them through this and names no page.
public interface IMessagePages
{
    // Title and message are keys in the strings files.
    Task WriteAsync(HttpContext http, int statusCode, string titleKey, string messageKey, string? linkHref);
}
