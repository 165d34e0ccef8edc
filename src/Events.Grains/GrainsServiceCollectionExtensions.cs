using Events.Grains.Agenda;
using Events.Grains.Catalog;
using Events.Grains.Runtime;
using Events.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Events.Grains;

public static class GrainsServiceCollectionExtensions
{
    // The grain runtime with every grain kind of the product registered.
    public static IServiceCollection AddEventGrains(this IServiceCollection services, Action<GrainRegistry>? moreGrains = null)
    {
        var registry = new GrainRegistry()
            .Add<IEventCatalogGrain, EventCatalogGrain>()
            .Add<IAgendaGrain, AgendaGrain>();
        moreGrains?.Invoke(registry);
        return services.AddGrainRuntime(registry);
    }

    public static IServiceCollection AddGrainRuntime(this IServiceCollection services, GrainRegistry registry)
    {
        services.AddOptions<GrainRuntimeOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(registry);
        services.AddSingleton<GrainEventPublisher>();
        services.AddSingleton<GrainRuntime>();
        services.AddSingleton<IGrainFactory>(sp => sp.GetRequiredService<GrainRuntime>());
        return services;
    }

    public static IServiceCollection AddJournalStorage(this IServiceCollection services, StorageOptions options)
    {
        switch (options.Provider)
        {
            case StorageProvider.Sqlite:
                services.AddSingleton<SqlDialect>(new SqliteDialect(options.ResolveSqlitePath()));
                break;
            case StorageProvider.PostgreSql:
                if (string.IsNullOrWhiteSpace(options.ConnectionString))
                {
                    throw new InvalidOperationException("Storage:Provider is PostgreSql but no connection string is set (Storage:ConnectionString or ConnectionStrings:Events).");
                }

                services.AddSingleton(_ => NpgsqlDataSource.Create(options.ConnectionString));
                services.AddSingleton<SqlDialect>(sp => new PostgresDialect(sp.GetRequiredService<NpgsqlDataSource>()));
                break;
            default:
                throw new InvalidOperationException($"Unknown storage provider {options.Provider}.");
        }

        services.AddSingleton<IJournalStore, AdoJournalStore>();
        services.AddSingleton<SchemaMigrator>();
        return services;
    }
}
