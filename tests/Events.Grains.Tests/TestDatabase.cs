using Events.Grains.Runtime;
using Events.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Events.Grains.Tests;

// A database of its own for one test: a fresh SQLite file, or a fresh schema in the PostgreSQL
// server named by EVENTS_TEST_POSTGRES. Tests never see each other's writes.
public sealed class TestDatabase : IAsyncDisposable
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";
    public const string PostgresVariable = "EVENTS_TEST_POSTGRES";

    private readonly List<ServiceProvider> _providers = [];
    private readonly string? _schema;
    private readonly string? _adminConnectionString;

    private TestDatabase(StorageOptions options, string? schema, string? adminConnectionString)
    {
        Options = options;
        _schema = schema;
        _adminConnectionString = adminConnectionString;
    }

    public StorageOptions Options { get; }

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

    public ServiceProvider CreateServices(Action<GrainRuntimeOptions>? configure = null, Action<GrainRegistry>? grains = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddJournalStorage();
        services.Configure<StorageOptions>(o =>
        {
            o.Provider = Options.Provider;
            o.DataFolder = Options.DataFolder;
            o.ConnectionString = Options.ConnectionString;
        });
        services.AddSingleton<ActivationCounter>();
        var registry = new GrainRegistry();
        TestGrains.Register(registry);
        grains?.Invoke(registry);
        services.AddGrainRuntime(registry);
        services.Configure<GrainRuntimeOptions>(o => configure?.Invoke(o));
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider;
    }

    // A runtime over this database, as one process (a silo) would have it.
    public async Task<GrainRuntime> StartRuntimeAsync(Action<GrainRuntimeOptions>? configure = null, Action<GrainRegistry>? grains = null)
    {
        var services = CreateServices(configure, grains);
        await services.GetRequiredService<SchemaMigrator>().MigrateAsync(TestContext.Current.CancellationToken);
        return services.GetRequiredService<GrainRuntime>();
    }

    public async ValueTask DisposeAsync()
    {
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
            Directory.Delete(Options.DataFolder, recursive: true);
        }
    }
}
