using Microsoft.AspNetCore.Http;

namespace Events.Web.Offline;

// "Save-Data: on" (Chrome's Lite mode, Opera Mini, data-saver settings): pages do not refresh on
// their own. Images are never shown anyway (Markdown images become links). The page says so once
// per browser, remembered in a cookie.
public static class SaveData
{
    public const string NotedCookie = "save-data-noted";

    public static bool IsOn(HttpContext? http) =>
        http is not null && string.Equals(http.Request.Headers["Save-Data"].ToString().Trim(), "on", StringComparison.OrdinalIgnoreCase);

    // True the first time a page is rendered with Save-Data on for this browser.
    public static bool NoteOnce(HttpContext? http)
    {
        if (http is null || !IsOn(http) || http.Request.Cookies.ContainsKey(NotedCookie) || http.Response.HasStarted)
        {
            return false;
        }

        http.Response.Cookies.Append(NotedCookie, "1", new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            IsEssential = true,
            MaxAge = TimeSpan.FromDays(365),
            Path = "/",
        });
        return true;
    }
}
