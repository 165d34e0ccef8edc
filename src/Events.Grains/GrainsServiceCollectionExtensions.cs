using Events.Grains.Agenda;
using Events.Grains.Announcements;
using Events.Grains.Audit;
using Events.Grains.People;
using Events.Grains.Questions;
using Events.Grains.Catalog;
using Events.Grains.Mixer;
using Events.Grains.Pitches;
using Events.Grains.Runtime;
using Events.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Events.Grains;

public static class GrainsServiceCollectionExtensions
{
    // The grain runtime with every grain kind of the product registered.
    public static IServiceCollection AddEventGrains(this IServiceCollection services, Action<GrainRegistry>? moreGrains = null)
    {
        var registry = new GrainRegistry()
            .Add<IEventCatalogGrain, EventCatalogGrain>()
            .Add<IAgendaGrain, AgendaGrain>()
            .Add<IAccountGrain, AccountGrain>()
            .Add<ISiteGrain, SiteGrain>()
            .Add<ISignInChallengeGrain, SignInChallengeGrain>()
            .Add<IEventAccessGrain, EventAccessGrain>()
            .Add<IAuditTrailGrain, AuditTrailGrain>()
            .Add<IAnnouncementsGrain, AnnouncementsGrain>()
            .Add<IMixerSlotGrain, MixerSlotGrain>()
            .Add<IQuestionBoardGrain, QuestionBoardGrain>()
            .Add<IQuestionBansGrain, QuestionBansGrain>()
            .Add<IPitchCardsGrain, PitchCardsGrain>()
            .Add<IRubricGrain, RubricGrain>()
            .Add<IPitchRoomGrain, PitchRoomGrain>()
            .Add<IFollowUpsGrain, FollowUpsGrain>();
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

    // The journal store chosen by StorageOptions, read when the store is first needed so that
    // configuration added late (tests, command-line) is honoured.
    public static IServiceCollection AddJournalStorage(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => CreateDialect(sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        services.AddSingleton<IJournalStore, AdoJournalStore>();
        services.AddSingleton<SchemaMigrator>();
        return services;
    }

    private static SqlDialect CreateDialect(StorageOptions options) => options.Provider switch
    {
        StorageProvider.Sqlite => new SqliteDialect(options.ResolveSqlitePath()),
        StorageProvider.PostgreSql when !string.IsNullOrWhiteSpace(options.ConnectionString) =>
            new PostgresDialect(NpgsqlDataSource.Create(options.ConnectionString)),
        StorageProvider.PostgreSql => throw new InvalidOperationException(
            "Storage:Provider is PostgreSql but no connection string is set (Storage:ConnectionString or ConnectionStrings:Events)."),
        _ => throw new InvalidOperationException($"Unknown storage provider {options.Provider}."),
    };
}
