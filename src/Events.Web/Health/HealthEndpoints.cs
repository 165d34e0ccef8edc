using Events.Grains.Journal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Events.Web.Health;

public sealed class StorageHealthCheck(IJournalStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await store.IsReachableAsync(cancellationToken)
            ? HealthCheckResult.Healthy("storage answers")
            : HealthCheckResult.Unhealthy("storage does not answer");
}

public static class HealthEndpoints
{
    // 200 "Healthy" when storage answers, 503 "Unhealthy" when it does not.
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz").AllowAnonymous().WithMetadata(new HttpMethodMetadata(["GET", "HEAD"]));
        return app;
    }
}
