using Events.Grains;
using Events.Web.Localization;
using Microsoft.AspNetCore.SignalR;

namespace Events.Web.Live;

// A grain's or a parser's refusal (ValidationFailedException) becomes the caller's HubException,
// worded in the connection's language, so hub methods keep only their call. Inside the log filter:
// a refusal is logged as information, not as an error with its stack trace.
public sealed class HubProblemFilter : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (ValidationFailedException ex)
        {
            throw new HubException(Text.Problem(Text.LanguageOf(invocationContext.Context.GetHttpContext()), ex));
        }
    }
}
