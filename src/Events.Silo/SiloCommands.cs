using Events.Grains.People;
using Events.Web.People;

namespace Events.Silo;

// One-off administration steps run instead of the server:
//   dotnet run --project src/Events.Silo -- add-organiser someone@city.example
public static class SiloCommands
{
    public const string AddOrganiser = "add-organiser";

    public static bool IsCommand(string[] args) => Words(args).FirstOrDefault() == AddOrganiser;

    // Settings may follow as --Key=value; the command's own words are the rest.
    private static string[] Words(string[] args) => [.. args.Where(a => !a.StartsWith("--", StringComparison.Ordinal))];

    // A command runs instead of the server (stop the server first: with SQLite, a server left running
    // keeps its own copy of the grains the command changes). It runs a silo of its own, since grain
    // calls need one, on spare ports, and serves no HTTP.
    public static void UseSpareEndpoints(WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<Microsoft.AspNetCore.Hosting.Server.IServer, NoHttpServer>();
        builder.Configuration[$"{OrleansSettings.Section}:{nameof(OrleansSettings.SiloPort)}"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder.Configuration[$"{OrleansSettings.Section}:{nameof(OrleansSettings.GatewayPort)}"] = "0";
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<int> RunAsync(WebApplication app, string[] arguments)
    {
        var args = Words(arguments);
        if (args.Length != 2)
        {
            Console.Error.WriteLine($"Usage: Events.Silo {AddOrganiser} <email>");
            return 1;
        }

        string email;
        try
        {
            email = EmailAddress.Normalize(args[1]);
        }
        catch (Events.Grains.ValidationFailedException ex)
        {
            Console.Error.WriteLine(Events.Web.Localization.Text.Problem("en", ex));
            return 1;
        }

        // Starting the host migrates the schema, then starts the silo the grains below run on.
        await app.StartAsync();
        var grains = app.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<ISiteGrain>(ISiteGrain.Key).AddOrganiserAsync(email);
        await grains.GetGrain<IAccountGrain>(email).EnsureAsync("en");
        var issued = await app.Services.GetRequiredService<SignInMailer>().StartAsync(email, null, Events.Web.Localization.Text.Get("en", "mail.site-organiser"), "en", CancellationToken.None);

        var link = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Events.Web.Security.SiteOptions>>().Value
            .Link($"/signin/link?t={Uri.EscapeDataString(issued.LinkToken)}");
        Console.WriteLine($"{email} organises every event on this installation.");
        Console.WriteLine($"Sign in within {(int)SignInChallengeGrain.Lifetime.TotalMinutes} minutes: {link}");
        Console.WriteLine($"(or type code {issued.Code} at /signin/{issued.ChallengeId})");
        await app.StopAsync();
        await ((IAsyncDisposable)app).DisposeAsync();
        return 0;
    }
}

internal sealed class NoHttpServer : Microsoft.AspNetCore.Hosting.Server.IServer
{
    public Microsoft.AspNetCore.Http.Features.IFeatureCollection Features { get; } = new Microsoft.AspNetCore.Http.Features.FeatureCollection();

    public Task StartAsync<TContext>(Microsoft.AspNetCore.Hosting.Server.IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
    }
}
