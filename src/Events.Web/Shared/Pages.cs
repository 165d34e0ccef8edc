using System.Reflection;
using Events.Web.Localization;
using Events.Web.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Events.Web.Shared;

public static class Pages
{
    // A page or region rendered from its parameters, given as an object initializer of the component
    // itself so that the compiler checks each parameter's name and type (an anonymous object fails
    // only at run time, on a misspelt name). The instance only carries the values: the renderer makes
    // its own, which is why BL0005 (no parameter set outside its component) is off for these calls.
    public static RazorComponentResult<TComponent> Render<TComponent>(TComponent parameters, int? statusCode = null)
        where TComponent : IComponent =>
        new(ComponentParameters<TComponent>.Of(parameters)) { StatusCode = statusCode };

    // The same component as a fragment that another component renders in its place.
    public static RenderFragment Fragment<TComponent>(TComponent parameters)
        where TComponent : IComponent => builder =>
    {
        builder.OpenComponent<TComponent>(0);
        foreach (var (name, value) in ComponentParameters<TComponent>.Of(parameters))
        {
            builder.AddComponentParameter(1, name, value);
        }

        builder.CloseComponent();
    };

    // The same parameters for a renderer of the application's own (ComponentHtml).
    public static ParameterView ParametersOf<TComponent>(TComponent parameters)
        where TComponent : IComponent => ParameterView.FromDictionary(ComponentParameters<TComponent>.Of(parameters));

    private static class ComponentParameters<TComponent>
    {
        private static readonly PropertyInfo[] Properties =
            [.. typeof(TComponent).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.IsDefined(typeof(ParameterAttribute), inherit: true))];

        public static Dictionary<string, object?> Of(TComponent component) =>
            Properties.ToDictionary(p => p.Name, p => p.GetValue(component), StringComparer.Ordinal);
    }

    // Title and message are keys in the strings files; arguments fill the message's placeholders.
    public static RazorComponentResult<MessagePage> Message(int statusCode, string titleKey, string messageKey, string? linkHref = "/", string? linkTextKey = null, params object?[] arguments)
    {
        var language = Text.LanguageOf(System.Globalization.CultureInfo.CurrentUICulture);
        return Render(new MessagePage
        {
            Title = Text.Get(language, titleKey),
            Message = Text.Format(language, messageKey, arguments),
            LinkHref = linkHref,
            LinkText = linkTextKey is null ? null : Text.Get(language, linkTextKey),
        }, statusCode);
    }

    public static RazorComponentResult<MessagePage> NoEvent(string slug) =>
        Message(StatusCodes.Status404NotFound, "message.not-found", "message.no-event", "/", null, slug);

    public static RazorComponentResult<MessagePage> NoSession(string slug, string sessionId) =>
        Message(StatusCodes.Status404NotFound, "message.not-found", "problem.SessionMissing", $"/events/{slug}", null, sessionId);

    // The one check for every returnUrl: only paths on this site. Browsers drop tabs and newlines
    // from URLs and read '\' as '/', so "/<TAB>/evil.example" and "/\evil.example" would leave the
    // site ("//evil.example"); control characters also break the Location header. So: a '/' first,
    // no second '/' or '\' right after it, and no control character, space or '\' anywhere.
    public static string LocalOr(string? url, string fallback) =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || url[1] != '/')
            && !url.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c == '\\')
            ? url
            : fallback;
}

// Security's refusal pages, drawn as every other message page (see IMessagePages).
public sealed class MessagePages : IMessagePages
{
    public Task WriteAsync(HttpContext http, int statusCode, string titleKey, string messageKey, string? linkHref) =>
        Pages.Message(statusCode, titleKey, messageKey, linkHref).ExecuteAsync(http);
}
