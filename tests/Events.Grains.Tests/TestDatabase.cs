using System.Text.Json;
using Events.Grains.Journal;
using Events.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.TestingHost;

namespace Events.Grains.Tests;

// A database of its own for one test: a fresh SQLite file, or a fresh schema in the PostgreSQL
// server named by EVENTS_TEST_POSTGRES. Tests never see each other's writes. Orleans clusters
// started over it are stopped before the database is removed.
public sealed class TestDatabase : IAsyncDisposable
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";
    public const string PostgresVariable = "EVENTS_TEST_POSTGRES";

    private readonly List<ServiceProvider> _providers = [];
    private readonly List<GrainCluster> _clusters = [];
    private readonly string? _schema;
    private readonly string? _adminConnectionString;
    private ServiceProvider? _services;
    private bool _migrated;

    private TestDatabase(StorageOptions options, string? schema, string? adminConnectionString)
    {
        Options = options;
        _schema = schema;
        _adminConnectionString = adminConnectionString;
    }

    public StorageOptions Options { get; }

    // The journal store over this database, outside any silo: what the tests read back with.
    public IJournalStore Store => (_services ??= CreateServices()).GetRequiredService<IJournalStore>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<TestDatabase> CreateAsync(string provider)
    {
        if (provider == Sqlite)
        {
            var folder = Path.Combine(Path.GetTempPath(), "events-tests", Guid.NewGuid().ToString("N"));
            return new TestDatabase(new StorageOptions { Provider = StorageProvider.Sqlite, DataFolder = folder }, null, null);
        }

        var admin = PostgresConnectionString();
        var schema = "t_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            await create.ExecuteNonQueryAsync();
        }

        var scoped = new NpgsqlConnectionStringBuilder(admin) { SearchPath = schema }.ConnectionString;
        return new TestDatabase(new StorageOptions { Provider = StorageProvider.PostgreSql, ConnectionString = scoped }, schema, admin);
    }

    // Where PostgreSQL tests find their server. Under CI a missing server is a failure, not a skip.
    public static string PostgresConnectionString()
    {
        var value = Environment.GetEnvironmentVariable(PostgresVariable);
        if (!string.IsNullOrWhiteSpace(value))
        {
            return value;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"CI=true but {PostgresVariable} is not set: the PostgreSQL contract tests must run in CI.");
        }

        Assert.Skip($"No PostgreSQL server: set {PostgresVariable} to a connection string (.ci/run does).");
        return "";
    }

    // The storage services alone (store, migrator), as the Silo wires them, without Orleans.
    public ServiceProvider CreateServices()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddJournalStorage();
        services.Configure<StorageOptions>(CopyTo);
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider;
    }

    // A new, independent Orleans cluster over this database: its own ClusterId (and ServiceId unless
    // the setup names one), its own membership and transport, as a second deployment pointed at the
    // same database would be. Calling this twice gives two clusters that only share the database.
    public async Task<GrainCluster> StartClusterAsync(ClusterSetup? setup = null)
    {
        setup ??= new ClusterSetup();
        if (!_migrated)
        {
            // As the Silo does at start-up: the schema is there before any grain reads its journal.
            await CreateServices().GetRequiredService<SchemaMigrator>().MigrateAsync(Ct);
            _migrated = true;
        }

        var builder = new InProcessTestClusterBuilder(checked((short)setup.Silos));
        if (setup.ServiceId is { } serviceId)
        {
            builder.Options.ServiceId = serviceId;
        }

        // Log files per test cluster would pile up in the working directory.
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddEventGrains();
            var services = silo.Services;
            services.Configure<StorageOptions>(CopyTo);
            services.Configure<JournalOptions>(o => setup.Journal?.Invoke(o));
            services.AddSingleton<ActivationCounter>();
            if (setup.Clock is { } clock)
            {
                // Grains see the test's clock; Orleans' own timers (messaging, membership,
                // activation collection) stay on real time, or a stopped clock would stop the silo.
                services.Replace(ServiceDescriptor.Singleton(clock));
                services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
            }

            setup.Silo?.Invoke(silo);
        });

        var cluster = new GrainCluster(builder.Build());

        // Tracked before deploying, so that a cluster that failed half-way is still stopped.
        _clusters.Add(cluster);
        await cluster.Cluster.DeployAsync(Ct);
        return cluster;
    }

    // A journal read back from the store, events deserialized as the grain stored them.
    // JournalReader knows only the product's grain types; test grains are read here instead.
    public async Task<IReadOnlyList<GrainEvent>> ReadEventsAsync<TEvent>(JournalKey journal, long afterSequence, int maxCount)
        where TEvent : class
    {
        var stored = await Store.ReadEventsAsync(journal, afterSequence, maxCount, Ct);
        return stored
            .Select(e => new GrainEvent(journal, e.Sequence, JsonSerializer.Deserialize<TEvent>(e.Payload, GrainJson.Options)!, e.RecordedAt))
            .ToList();
    }

    public async ValueTask DisposeAsync()
    {
        // Silos first: their grains hold connections to the database removed below.
        foreach (var cluster in _clusters)
        {
            await cluster.DisposeAsync();
        }

        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        if (_schema is not null)
        {
            await using var connection = new NpgsqlConnection(_adminConnectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA {_schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }
        else
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(Options.DataFolder))
            {
                Directory.Delete(Options.DataFolder, recursive: true);
            }
        }
    }

    private void CopyTo(StorageOptions o)
    {
        o.Provider = Options.Provider;
        o.DataFolder = Options.DataFolder;
        o.ConnectionString = Options.ConnectionString;
    }
}

// How a test wants its cluster: one silo over real time with the product's journal settings
// unless it says otherwise.
public sealed class ClusterSetup
{
    public int Silos { get; init; } = 1;

    // Each cluster gets a fresh ServiceId unless given one. Orleans' grain storage keys its rows by
    // ServiceId, so a cluster that must find state grains written by an earlier one passes the same.
    public string? ServiceId { get; init; }

    // Replaces TimeProvider for the grains (and what they record), e.g. a ManualClock.
    public TimeProvider? Clock { get; init; }

    public Action<JournalOptions>? Journal { get; init; }

    // Anything else a test needs on each silo.
    public Action<ISiloBuilder>? Silo { get; init; }
}

// One started test cluster. Calls can come from outside (Client, through a gateway) or from a
// given silo, as the web server co-hosted with that silo makes them.
public sealed class GrainCluster(InProcessTestCluster cluster) : IAsyncDisposable
{
    public InProcessTestCluster Cluster { get; } = cluster;

    public IClusterClient Client => Cluster.Client;

    public IServiceProvider Services(int silo) => Cluster.Silos[silo].ServiceProvider;

    public IGrainFactory Silo(int silo) => Services(silo).GetRequiredService<IGrainFactory>();

    public GrainEventPublisher Publisher(int silo) => Services(silo).GetRequiredService<GrainEventPublisher>();

    public TGrain GetGrain<TGrain>(string key)
        where TGrain : IGrainWithStringKey => Client.GetGrain<TGrain>(key);

    public ValueTask DisposeAsync() => Cluster.DisposeAsync();
}
