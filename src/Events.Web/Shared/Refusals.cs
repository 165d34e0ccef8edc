using Events.Grains;
using Events.Web.Localization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Orleans;

namespace Events.Web.Shared;

// A form post refused by a grain or a parser (ValidationFailedException) answers the feature's page
// again with the problem worded in the person's language, so each endpoint keeps only its call and
// its redirect. The feature says once, on its group or endpoint, what "the page again" is. Only
// posts are answered so: a page (GET) that throws one fails as it always did.
public static class Refusals
{
    public static TBuilder OnRefusal<TBuilder>(this TBuilder builder, Func<Refusal, Task<IResult>> page)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (call, next) =>
        {
            try
            {
                return await next(call);
            }
            catch (ValidationFailedException ex) when (HttpMethods.IsPost(call.HttpContext.Request.Method))
            {
                return await page(new Refusal(call, ex));
            }
        });
}

// What the page again needs: the request, the worded problem, the route's values and the form the
// endpoint was given (to show the person what they typed). Problem, for pages that differ by it.
public sealed class Refusal(EndpointFilterInvocationContext call, ValidationFailedException refusal)
{
    public HttpContext Http => call.HttpContext;

    public string Error { get; } = Text.Problem(Text.LanguageOf(call.HttpContext), refusal);

    public Problem Problem => refusal.Problem;

    public object[] Arguments => [.. refusal.Arguments];

    public IGrainFactory Grains => Service<IGrainFactory>();

    public T Service<T>() where T : notnull => Http.RequestServices.GetRequiredService<T>();

    public string Route(string name) => Http.GetRouteValue(name) as string ?? "";

    public T? Form<T>() where T : class => call.Arguments.OfType<T>().FirstOrDefault();
}
