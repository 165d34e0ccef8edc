using Events.Web.Health;
using Events.Web.Markdown;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Web;

public static class WebServiceCollectionExtensions
{
    public static IServiceCollection AddEventsWeb(this IServiceCollection services)
    {
        services.AddRazorComponents();
        services.AddSingleton<MarkdownRenderer>();
        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage");
        return services;
    }
}
