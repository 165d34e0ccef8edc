using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace Events.Web.Live;

// SignalR logs every exception out of a hub method as an error with its stack trace, so any
// attendee could fill the error log with refused calls. Its own line is switched off (LiveSetup)
// and written here instead: a refusal (HubException: said to the caller in their language) is
// information, one line without a stack trace; anything else stays an error with its trace.
public sealed class HubRefusalLogFilter(ILogger<HubRefusalLogFilter> logger) : IHubFilter
{
    public const string DispatcherCategory = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (HubException ex)
        {
            logger.LogInformation("Refused {HubMethod} on {ConnectionId}: {Reason}", invocationContext.HubMethodName, invocationContext.Context.ConnectionId, ex.Message);
            throw;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Failed to invoke hub method '{HubMethod}'.", invocationContext.HubMethodName);
            throw;
        }
    }
}
