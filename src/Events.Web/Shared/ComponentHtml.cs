using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.HtmlRendering.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Events.Web.Shared;

// Components rendered to a string outside any request, for markup that travels live (an
// announcement's delta carries the same markup its page shows). One per process, from DI.
//
// This is the renderer behind ASP.NET Core's HtmlRenderer. HtmlRenderer keeps every root component
// it has rendered until it is itself disposed, which for a renderer that lives as long as the
// process would grow with every announcement pushed or caught up; here each root is removed once
// written. Its services come from a scope of its own because the renderer asks for scoped ones
// (NavigationManager) and Development validates scopes.
//
// BL0006 warns that the renderer's members (root component ids, WriteComponentHtml) may change
// between releases: they are what removing a root takes, and a change shows here at build time.
#pragma warning disable BL0006
public sealed class ComponentHtml : StaticHtmlRenderer
{
    private readonly IServiceScope _scope;

    public ComponentHtml(IServiceScopeFactory scopes, ILoggerFactory loggers)
        : this(scopes.CreateScope(), loggers)
    {
    }

    private ComponentHtml(IServiceScope scope, ILoggerFactory loggers)
        : base(scope.ServiceProvider, loggers)
    {
        _scope = scope;
    }

    // Parameters given as an object initializer of the component, as for Pages.Render.
    public Task<string> RenderAsync<TComponent>(TComponent parameters)
        where TComponent : IComponent => Dispatcher.InvokeAsync(async () =>
    {
        var id = AssignRootComponentId(InstantiateComponent(typeof(TComponent)));
        try
        {
            await RenderRootComponentAsync(id, Pages.ParametersOf(parameters));
            using var html = new StringWriter(CultureInfo.InvariantCulture);
            WriteComponentHtml(id, html);
            return html.ToString();
        }
        finally
        {
            RemoveRootComponent(id);
        }
    });

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _scope.Dispose();
        }
    }
}
