using Events.Grains.Storage;
using Events.Silo;
using Events.Web;
using Events.Web.Agenda;
using Events.Web.Pitches;
using Events.Web.Announcements;
using Events.Web.Live;
using Events.Web.Localization;
using Events.Web.Audit;
using Events.Web.Catalog;
using Events.Web.Health;
using Events.Web.Mail;
using Events.Web.Mixer;
using Events.Web.Offline;
using Events.Web.Questions;
using Events.Web.People;
using Events.Web.Polls;
using Events.Web.Matchmaking;
using Events.Web.Scheduling;
using Events.Web.Security;
using Events.Web.Shared;
using Events.Web.Tickets;

var builder = WebApplication.CreateBuilder(args);
if (SiloCommands.IsCommand(args))
{
    SiloCommands.UseSpareEndpoints(builder);
}

builder.AddEventsSilo();
builder.Services.AddEventsWeb();

var app = builder.Build();

try
{
    if (SiloCommands.IsCommand(args))
    {
        Environment.ExitCode = await SiloCommands.RunAsync(app, args);
        return;
    }

    app.EnsureStaticAssetsAreServed();
    app.UseLiveRegions();
    app.UseLiveConnectionCap();
    app.UseRequestLocalization();
    app.UseEventsSecurity();
    // Offline-copy headers depend on each request's Sec-Fetch-Dest: outside the page cache.
    app.UseOfflineCopies();
    app.UseAgendaPageCache();
    app.UseResponseCompression();
    app.UseConflictPages();
    app.UseReadOnlyEvents();
    app.MapStaticAssets().AllowAnonymous();
    app.MapHealth();
    app.MapCatalog();
    app.MapEvents();
    app.MapAgenda();
    app.MapSessions();
    app.MapTimeZoneChoice();
    app.MapAnnouncements();
    app.MapMixer();
    app.MapQuestions();
    app.MapPolls();
    app.MapMatchmaking();
    app.MapScheduling();
    app.MapPitchCards();
    app.MapRubric();
    app.MapPitchRooms();
    app.MapFollowUps();
    app.MapTickets();
    app.MapLive();
    app.MapOfflineCopies();
    app.MapLanguage();
    app.MapSignIn();
    app.MapAccount();
    app.MapInvitations();
    app.MapAudit();
    app.MapOrleansDashboardForOrganisers();
    if (app.Environment.IsDevelopment())
    {
        app.MapOutbox();
    }

    app.MapNotFound();

    await app.RunAsync();
}
catch (Exception ex) when (ex is SchemaTooNewException or StaticAssetsMissingException)
{
    // Said plainly and without a stack trace: this is an operator's mistake, not a crash.
    Console.Error.WriteLine(ex.Message);
    Environment.ExitCode = 2;
}

public partial class Program;
