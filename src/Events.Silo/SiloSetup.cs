using Events.Grains;
using Events.Grains.Runtime;
using Events.Grains.Storage;

namespace Events.Silo;

public static class SiloSetup
{
    public const string DefaultUrl = "http://127.0.0.1:5080";
    private const string ReloadStaticAssetsKey = "ReloadStaticAssetsAtRuntime";

    // Configuration, storage choice and start-up work of the executable.
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

        builder.Services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.Section)
            .PostConfigure<IConfiguration>((options, configuration) =>
            {
                if (string.IsNullOrWhiteSpace(options.ConnectionString))
                {
                    options.ConnectionString = configuration.GetConnectionString("Events");
                }
            });
        builder.Services.AddOptions<GrainRuntimeOptions>().BindConfiguration(GrainRuntimeOptions.Section);
        builder.Services.AddJournalStorage();
        builder.Services.AddSingleton<DemoEvent>();
        builder.Services.AddHostedService<StorageStartup>();
        return builder;
    }
}

// Runs before the server takes requests: schema first (refusing a newer database), then the demo
// event on an empty installation.
internal sealed class StorageStartup(SchemaMigrator migrator, DemoEvent demo, ILogger<StorageStartup> logger) : IHostedService
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

        await demo.SeedIfEmptyAsync();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
