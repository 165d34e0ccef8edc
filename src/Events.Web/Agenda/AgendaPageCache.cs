using Events.Grains.Journal;
using Events.Web.Localization;
using Events.Web.Offline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Net.Http.Headers;

namespace Events.Web.Agenda;

// The public agenda as a signed-out visitor sees it is the same page for everyone with the same
// language, time-zone choice and encoding: when an event is announced to thousands, rendering and
// Brotli-compressing it again for each of them was nearly all of the server's work. Those
// renderings are kept, compressed, per event; any change committed to a grain of that event (its
// agenda, announcements, mixer slots, from any silo) drops them, and the clock-driven parts ("now",
// "next", an announcement's end) are never more than Lifetime old. Signed-in people, whose page
// carries their own controls, are never served from or stored in it.
public static class AgendaPageCache
{
    public const string PolicyName = "anonymous-agenda";
    private const string AllTag = "agenda";
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);

    public static IServiceCollection AddAgendaPageCache(this IServiceCollection services)
    {
        services.AddOutputCache(options => options.AddPolicy(PolicyName, new AnonymousAgendaPolicy()));
        services.AddHostedService<AgendaPageEviction>();
        return services;
    }

    // Outside compression, so what is stored is what was sent; inside security, so the visitor is known.
    public static IApplicationBuilder UseAgendaPageCache(this IApplicationBuilder app) => app.UseOutputCache();

    public static RouteHandlerBuilder CachedForAnonymousVisitors(this RouteHandlerBuilder endpoint) => endpoint.CacheOutput(PolicyName);

    public static string TagOf(string slug) => $"agenda:{slug}";

    private sealed class AnonymousAgendaPolicy : IOutputCachePolicy
    {
        public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
        {
            var http = context.HttpContext;
            var anonymous = http.User.Identity?.IsAuthenticated != true && !http.Request.Headers.ContainsKey(HeaderNames.Authorization);
            var cacheable = anonymous && HttpMethods.IsGet(http.Request.Method) && http.GetRouteValue("slug") is string;
            context.EnableOutputCaching = true;
            context.AllowCacheLookup = cacheable;
            context.AllowCacheStorage = cacheable;
            context.AllowLocking = true;
            if (cacheable)
            {
                context.ResponseExpirationTimeSpan = Lifetime;
                context.Tags.Add(TagOf((string)http.GetRouteValue("slug")!));
                context.Tags.Add(AllTag);
                // Everything the page reads from the request: keep this list in step with it.
                context.CacheVaryByRules.HeaderNames = new([HeaderNames.AcceptEncoding]);
                context.CacheVaryByRules.QueryKeys = "*";
                context.CacheVaryByRules.VaryByHost = true;
                context.CacheVaryByRules.VaryByValues["language"] = Text.LanguageOf(http);
                context.CacheVaryByRules.VaryByValues["zone"] = TimeZoneChoice.Of(http)?.Id ?? "";
                context.CacheVaryByRules.VaryByValues["save-data"] = !SaveData.IsOn(http) ? "" : http.Request.Cookies.ContainsKey(SaveData.NotedCookie) ? "noted" : "on";
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

        // Only a plain page is kept: not an error, a private event's refusal, or anything setting a cookie.
        public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
        {
            var response = context.HttpContext.Response;
            if (response.StatusCode != StatusCodes.Status200OK || response.Headers.ContainsKey(HeaderNames.SetCookie))
            {
                context.AllowCacheStorage = false;
            }

            return ValueTask.CompletedTask;
        }
    }

    // Any event committed by a grain of an event (its key is the slug, or starts with "slug/"), on
    // any silo, drops that event's kept pages; a gap in what this silo heard drops them all.
    private sealed class AgendaPageEviction(GrainEventPublisher publisher, IOutputCacheStore store) : IHostedService
    {
        private IDisposable? _subscription;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            _subscription = publisher.Subscribe(e => Evict(SlugOf(e.Grain.Key)), fromEverySilo: true);
            publisher.Gap += EvictEverything;
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            publisher.Gap -= EvictEverything;
            _subscription?.Dispose();
            return Task.CompletedTask;
        }

        private static string SlugOf(string key) => key.IndexOf('/') is var slash and >= 0 ? key[..slash] : key;

        // The memory store evicts synchronously; the handler must not wait inside a grain's turn.
        private void Evict(string slug) => _ = store.EvictByTagAsync(TagOf(slug), CancellationToken.None);

        private void EvictEverything() => _ = store.EvictByTagAsync(AllTag, CancellationToken.None);
    }
}
