using Events.Web.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Events.Web.Tests.Shared;

// The renderer of live markup lives as long as the process: whatever it kept of each rendering
// would grow with every announcement pushed or caught up.
public sealed class ComponentHtmlTests
{
    [Fact]
    public async Task Each_component_is_let_go_as_soon_as_its_markup_is_written()
    {
        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider(validateScopes: true);
        await using var html = new ComponentHtml(services.GetRequiredService<IServiceScopeFactory>(), services.GetRequiredService<ILoggerFactory>());
        var released = new List<string>();

        // The instances only carry parameters, as with Pages.Render.
#pragma warning disable BL0005
        var first = await html.RenderAsync(new Probe { Name = "Room B & C", Released = released });
        var second = await html.RenderAsync(new Probe { Name = "Lunch", Released = released });
#pragma warning restore BL0005

        Assert.Equal("<b>Room B &amp; C</b>", first);
        Assert.Equal("<b>Lunch</b>", second);
        Assert.Equal(["Room B & C", "Lunch"], released);
    }

    private sealed class Probe : IComponent, IDisposable
    {
        private RenderHandle _handle;

        [Parameter]
        public string Name { get; set; } = "";

        [Parameter]
        public List<string> Released { get; set; } = [];

        public void Attach(RenderHandle renderHandle) => _handle = renderHandle;

        public Task SetParametersAsync(ParameterView parameters)
        {
            parameters.SetParameterProperties(this);
            _handle.Render(builder =>
            {
                builder.OpenElement(0, "b");
                builder.AddContent(1, Name);
                builder.CloseElement();
            });
            return Task.CompletedTask;
        }

        public void Dispose() => Released.Add(Name);
    }
}
