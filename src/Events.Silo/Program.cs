using Events.Grains;
using Events.Grains.Storage;
using Events.Silo;
using Events.Web;
using Events.Web.Agenda;
using Events.Web.Catalog;
using Events.Web.Health;

var builder = WebApplication.CreateBuilder(args);
builder.AddEventsSilo();
builder.Services.AddEventGrains();
builder.Services.AddEventsWeb();

var app = builder.Build();
app.MapStaticAssets();
app.MapHealth();
app.MapCatalog();
app.MapAgenda();

try
{
    await app.RunAsync();
}
catch (SchemaTooNewException ex)
{
    // Said plainly and without a stack trace: this is an operator's mistake, not a crash.
    Console.Error.WriteLine(ex.Message);
    Environment.ExitCode = 2;
}

public partial class Program;
