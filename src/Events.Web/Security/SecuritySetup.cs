using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Events.Web.Security;

public static class SecuritySetup
{
    public const string AuthCookie = "events.auth";
    public const string AntiforgeryCookie = "events.af";

    public static IServiceCollection AddEventsSecurity(this IServiceCollection services)
    {
        services.AddOptions<SiteOptions>().BindConfiguration(SiteOptions.Section);
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section);
        DatabaseKeyRing.AddTo(services);
        services.AddOptions<ForwardedHeadersOptions>()
            .Configure<IOptions<SiteOptions>>((options, site) => TrustedProxies.Configure(options, site.Value.TrustedProxies));
        services.AddSingleton<SignInLimits>();

        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(options =>
        {
            options.Cookie.Name = AuthCookie;
            options.Cookie.HttpOnly = true;
            options.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.ExpireTimeSpan = TimeSpan.FromDays(30);
            options.SlidingExpiration = true;
            options.LoginPath = "/signin";
            options.ReturnUrlParameter = "returnUrl";
            // Relative, so no redirect is ever built from the request's Host header.
            options.Events.OnRedirectToLogin = context =>
            {
                context.Response.Redirect(new Uri(context.RedirectUri, UriKind.RelativeOrAbsolute) is { IsAbsoluteUri: true } absolute
                    ? absolute.PathAndQuery
                    : context.RedirectUri);
                return Task.CompletedTask;
            };
            options.Events.OnValidatePrincipal = Sessions.ValidateAsync;
            options.Events.OnRedirectToAccessDenied = context =>
                context.HttpContext.RequestServices.GetRequiredService<IMessagePages>()
                    .WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "message.forbidden", "message.forbidden-text", "/");
        });

        services.AddAuthorization(options =>
        {
            // An endpoint that names no policy still needs a signed-in person: forgetting fails closed.
            options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
            Policies.Add(options);
        });
        services.AddSingleton<IAuthorizationHandler, ViewerHandler>();
        services.AddScoped<ViewerScope>();

        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = AntiforgeryCookie;
            // Antiforgery refuses "Always" on plain-HTTP requests, and the default server listens on
            // http://127.0.0.1 behind a TLS proxy. The token cookie is no credential; the auth cookie is Secure always.
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.Cookie.SameSite = SameSiteMode.Strict;
        });

        services.AddRateLimiter(_ => { });
        services.AddOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>()
            .Configure<IOptions<RateLimitOptions>>((options, limits) => RateLimitOptions.Add(options, limits.Value));
        return services;
    }

    public static WebApplication UseEventsSecurity(this WebApplication app)
    {
        // First, so the rate limits and logs see the client's address, not the proxy's. Only with
        // proxies configured: with both lists empty the middleware believes every peer.
        if (app.Services.GetRequiredService<IOptions<SiteOptions>>().Value.TrustedProxies.Any(p => !string.IsNullOrWhiteSpace(p)))
        {
            app.UseForwardedHeaders();
        }

        app.UseSecurityHeaders();
        app.Use(HubOrigin.RefuseForeignAsync);
        app.UseAuthentication();
        app.UseAuthorization();
        app.Use(FormText.RefuseControlCharactersAsync);
        app.UseAntiforgery();
        app.Use(RefuseForgedForms);
        app.UseRateLimiter();
        return app;
    }

    // A form whose antiforgery token is missing or stale gets a page that says what to do, not a bare 400.
    // Like the other checks before the endpoint, it hands every other request on without awaiting it:
    // a live connection is one request that lasts for hours, and each middleware that awaits the next
    // keeps a frame of its own alive for it (about 150 bytes a connection).
    private static Task RefuseForgedForms(HttpContext context, RequestDelegate next) =>
        context.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false }
            ? context.RequestServices.GetRequiredService<IMessagePages>()
                .WriteAsync(context, StatusCodes.Status400BadRequest, "message.form-expired", "message.form-expired-text", null)
            : next(context);
}
