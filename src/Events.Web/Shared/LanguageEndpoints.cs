using Events.Web.Localization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Routing;

namespace Events.Web.Shared;

public static class LanguageEndpoints
{
    // A plain link, so the switcher works without JavaScript and costs no form token: it only
    // remembers a preference, which nobody gains anything by forging.
    public static IEndpointRouteBuilder MapLanguage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/language/{language}", (string language, string? returnUrl, HttpContext http) =>
        {
            if (!Text.Languages.Contains(language))
            {
                return Results.NotFound();
            }

            http.Response.Cookies.Append(
                Text.CookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(language)),
                new CookieOptions { MaxAge = TimeSpan.FromDays(365), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true, Secure = http.Request.IsHttps });
            return Results.Redirect(Pages.LocalOr(returnUrl, "/"));
        }).AllowAnonymous();
        return app;
    }
}
