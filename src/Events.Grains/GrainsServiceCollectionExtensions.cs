using Events.Grains.Audit;
using Events.Grains.Journal;
using Events.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;

namespace Events.Grains;

public static class GrainsServiceCollectionExtensions
{
    // What a silo needs for the product's grains: the journal store behind Orleans' custom-storage
    // log-consistency provider, this silo's publisher of committed events, and the relay that
    // carries them to the other silos. Clustering is the host's choice.
    public static ISiloBuilder AddEventGrains(this ISiloBuilder silo)
    {
        silo.AddCustomStorageBasedLogConsistencyProvider(JournalStorage.ProviderName);
        silo.AddAdoNetGrainStorage(GrainStore.Name, options => options.Configure<IOptions<StorageOptions>>((adoNet, storage) =>
        {
            // Orleans reads its statements from our OrleansQuery table (migration 0002), on the
            // same database as the journal.
            if (storage.Value.Provider == StorageProvider.PostgreSql)
            {
                adoNet.Invariant = "Npgsql";
                adoNet.ConnectionString = storage.Value.ConnectionString;
            }
            else
            {
                // Orleans 10.4.2 knows Microsoft.Data.Sqlite by this invariant name.
                adoNet.Invariant = "System.Data.SQLite";
                adoNet.ConnectionString = SqliteDialect.ConnectionStringFor(storage.Value.ResolveSqlitePath());
            }

            adoNet.GrainStorageSerializer = new GrainStateJson();
        }));
        var services = silo.Services;
        services.AddJournalStorage();
        services.AddOptions<JournalOptions>();
        services.AddOptions<GrainCollectionOptions>()
            .Configure<IOptions<JournalOptions>>((collection, journal) => collection.CollectionAge = journal.Value.IdleDeactivation);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<GrainEventPublisher>();
        services.AddSingleton<JournalRelay>();
        services.AddHostedService(sp => sp.GetRequiredService<JournalRelay>());
        services.AddSingleton(AuditTrail.Standing);
        services.AddSingleton<JournalServices>();
        services.AddSingleton<JournalReader>();
        services.AddHostedService<JournalCatchUp>();
        return silo;
    }

    // The journal store chosen by StorageOptions, read when the store is first needed so that
    // configuration added late (tests, command-line) is honoured.
    public static IServiceCollection AddJournalStorage(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => CreateDialect(sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        services.TryAddSingleton<IJournalStore, AdoJournalStore>();
        services.TryAddSingleton<SchemaMigrator>();
        return services;
    }

    private static SqlDialect CreateDialect(StorageOptions options) => options.Provider switch
    {
        StorageProvider.Sqlite => new SqliteDialect(options.ResolveSqlitePath()),
        StorageProvider.PostgreSql when !string.IsNullOrWhiteSpace(options.ConnectionString) =>
            PostgresDialect.Create(options.ConnectionString),
        StorageProvider.PostgreSql => throw new InvalidOperationException(
            "Storage:Provider is PostgreSql but no connection string is set (Storage:ConnectionString or ConnectionStrings:Events)."),
        _ => throw new InvalidOperationException($"Unknown storage provider {options.Provider}."),
    };
}
