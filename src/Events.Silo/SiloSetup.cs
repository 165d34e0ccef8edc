using System.Net;
using Events.Grains;
using Events.Grains.Journal;
using Events.Grains.Storage;
using Orleans.Configuration;
using Events.Web.Security;
using Orleans.Dashboard;

namespace Events.Silo;

public static class SiloSetup
{
    public const string DefaultUrl = "http://127.0.0.1:5080";
    private const string ReloadStaticAssetsKey = "ReloadStaticAssetsAtRuntime";

    // Configuration, storage choice, the Orleans silo co-hosted with the web server, and start-up work.
    public static WebApplicationBuilder AddEventsSilo(this WebApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // Serve static assets exactly as built (fingerprinted, precompressed, immutable) in every
        // environment. ASP.NET's Development "hot reload" of assets re-encodes Brotli assets as gzip
        // under a Brotli header, which browsers reject.
        if (builder.Configuration[ReloadStaticAssetsKey] is null)
        {
            builder.Configuration[ReloadStaticAssetsKey] = "false";
        }

        // "Server: Kestrel" tells nobody anything useful and costs a 2G reader 16 bytes per answer.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

        builder.UseQuietProductionLogging();
        builder.ServeStaticAssetsFromTheBuild();

        builder.Services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.Section)
            .PostConfigure<IConfiguration>((options, configuration) =>
            {
                if (string.IsNullOrWhiteSpace(options.ConnectionString))
                {
                    options.ConnectionString = configuration.GetConnectionString("Events");
                }
            });
        builder.Services.AddOptions<JournalOptions>().BindConfiguration(JournalOptions.Section);
        builder.Services.AddOptions<Events.Grains.Scheduling.SchedulingOptions>().BindConfiguration(Events.Grains.Scheduling.SchedulingOptions.Section);
        builder.Services.AddJournalStorage();

        // Hosted services start in the order they are added: the schema is migrated (or a newer
        // database refused) before the silo starts, since clustering reads its queries from it;
        // the installation's data-protection key is made sure of before ASP.NET Core's own
        // data-protection start-up (added later, with the web services) loads the key ring;
        // the demo event is seeded once the silo takes calls.
        builder.Services.AddHostedService<SchemaStartup>();
        builder.Services.AddHostedService<KeyRingStartup>();
        builder.UseOrleans(silo => ConfigureSilo(silo, builder.Configuration));
        builder.Services.AddSingleton<DemoEvent>();
        builder.Services.AddHostedService<DemoStartup>();
        return builder;
    }

    private static void ConfigureSilo(ISiloBuilder silo, IConfiguration configuration)
    {
        var orleans = configuration.GetSection(OrleansSettings.Section).Get<OrleansSettings>() ?? new();
        var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new();
        if (storage.Provider == StorageProvider.PostgreSql)
        {
            var connectionString = storage.ConnectionString is { Length: > 0 } given ? given : configuration.GetConnectionString("Events");
            silo.UseAdoNetClustering(options =>
            {
                options.Invariant = "Npgsql";
                options.ConnectionString = connectionString;
            });
            silo.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = orleans.ClusterId;
                options.ServiceId = orleans.ServiceId;
            });
            silo.ConfigureEndpoints(IPAddress.Parse(orleans.AdvertisedAddress), orleans.SiloPort, orleans.GatewayPort, listenOnAnyHostAddress: false);
        }
        else
        {
            // SQLite is one file on one machine: one silo, nothing to discover.
            silo.UseLocalhostClustering(orleans.SiloPort, orleans.GatewayPort, serviceId: orleans.ServiceId, clusterId: orleans.ClusterId);
        }

        silo.AddEventGrains();
        // Orleans sizes the cache of where grains live for a million grains and allocates that room up
        // front: two arrays of 18.6 MB together, which every full collection walks. An installation
        // here holds tens of thousands of grains; past the cache, a lookup asks the directory again,
        // as after any miss. (Idle, just started: 31.5 MB of managed heap with the default, 14.8 MB
        // with this; the resident size is the same, since the empty arrays' pages were never touched.)
        silo.Configure<GrainDirectoryOptions>(options => options.CacheSize = 100_000);
        if (orleans.Dashboard)
        {
            silo.AddDashboard();
        }
    }

    // Orleans' dashboard, for site organisers only, when Orleans:Dashboard is on.
    public static void MapOrleansDashboardForOrganisers(this WebApplication app)
    {
        if (app.Configuration.GetSection(OrleansSettings.Section).Get<OrleansSettings>()?.Dashboard == true)
        {
            // The dashboard ships its icon font and sets inline styles; it is for site organisers only.
            app.MapOrleansDashboard(OrleansSettings.DashboardPath)
                .RequireAuthorization(Policies.SiteOrganiser)
                .WithContentSecurityPolicy(SecurityHeaders.ContentSecurityPolicy
                    .Replace("style-src 'self'", "style-src 'self' 'unsafe-inline'", StringComparison.Ordinal)
                    .Replace("font-src 'none'", "font-src 'self' data:", StringComparison.Ordinal));
        }
    }
}

public sealed class OrleansSettings
{
    public const string Section = "Orleans";

    // Silo-to-silo port; two silos on one machine need two. Orleans does not authenticate it:
    // keep it on a private network.
    public int SiloPort { get; set; } = 11111;

    // Orleans clients' port. The web server runs inside the silo and needs none, so 0 (off): an
    // open gateway would let anyone who reaches it call any grain.
    public int GatewayPort { get; set; }

    // The address other silos reach this one at (from the membership table).
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    public string ClusterId { get; set; } = "events";

    // Orleans' ADO.NET grain storage keys stored state by this id too: changing it hides the state
    // grains' rows (accounts, sign-ins, the catalogue) from the silos.
    public string ServiceId { get; set; } = "events";

    // Orleans' dashboard (grain activations, calls, silos) at DashboardPath, for site organisers.
    public bool Dashboard { get; set; }

    public const string DashboardPath = "/orleans-dashboard";
}

// Runs before the silo and the server start: schema first, refusing a newer database.
internal sealed class SchemaStartup(SchemaMigrator migrator, ILogger<SchemaStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await migrator.MigrateAsync(cancellationToken);
        }
        catch (SchemaTooNewException ex)
        {
            logger.LogCritical("{Message}", ex.Message);
            throw;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

internal sealed class DemoStartup(DemoEvent demo) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => demo.SeedIfEmptyAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
