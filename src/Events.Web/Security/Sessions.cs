using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using Events.Grains.People;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Orleans;

namespace Events.Web.Security;

// A sign-in cookie is honoured only while the person's account says its session is active, so
// signing out (one session, or everywhere) ends it on the server, not just in that browser.
public static class Sessions
{
    private const string SessionClaim = "sid";
    private const string GenerationClaim = "gen";

    public static async Task SignInAsync(HttpContext http, IGrainFactory grains, string email)
    {
        var generation = await grains.GetGrain<IAccountGrain>(email).SessionGenerationAsync();
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Email, email),
                new Claim(SessionClaim, Base64Url(RandomNumberGenerator.GetBytes(16))),
                new Claim(GenerationClaim, generation.ToString(CultureInfo.InvariantCulture)),
            ],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
    }

    public static async Task SignOutAsync(HttpContext http, IGrainFactory grains, bool everywhere)
    {
        if (http.User.FindFirstValue(ClaimTypes.Email) is { } email)
        {
            var account = grains.GetGrain<IAccountGrain>(email);
            await (everywhere ? account.SignOutEverywhereAsync() : account.SignOutAsync(http.User.FindFirstValue(SessionClaim)));
        }

        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    // Runs on every request that presents the cookie (one call to the person's account grain).
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        if (context.Principal?.FindFirstValue(ClaimTypes.Email) is not { } email)
        {
            return;
        }

        var generation = int.TryParse(context.Principal.FindFirstValue(GenerationClaim), CultureInfo.InvariantCulture, out var g) ? g : 0;
        var grains = context.HttpContext.RequestServices.GetRequiredService<IGrainFactory>();
        if (!await grains.GetGrain<IAccountGrain>(email).IsSessionActiveAsync(context.Principal.FindFirstValue(SessionClaim), generation))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
