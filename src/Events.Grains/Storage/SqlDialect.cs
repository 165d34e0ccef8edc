using System.Data.Common;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Events.Grains.Storage;

// What differs between the two databases: how to connect, how a duplicate key shows up, and the
// SQL text. Everything else (the store, the migrator) is shared ADO.NET code.
public abstract partial class SqlDialect
{
    private readonly Lazy<IReadOnlyDictionary<string, string>> _queries;
    private readonly Lazy<IReadOnlyList<Migration>> _migrations;

    protected SqlDialect(string folder)
    {
        Folder = folder;
        _queries = new(() => ParseQueries(ReadResource($"{ResourcePrefix}queries.sql")));
        _migrations = new(LoadMigrations);
    }

    // The folder under Storage/Sql holding this dialect's files.
    public string Folder { get; }

    // Where the data is, for messages (never includes a password).
    public abstract string Describe { get; }

    public IReadOnlyDictionary<string, string> Queries => _queries.Value;

    public IReadOnlyList<Migration> Migrations => _migrations.Value;

    private string ResourcePrefix => $"Events.Sql.{Folder}/";

    public abstract DbConnection CreateConnection();

    public abstract bool IsUniqueViolation(DbException exception);

    // "append_event" for count events in one statement: its VALUES row repeated, the per-event
    // parameters (@seq, @payload, @recorded_at) numbered @seq_0, @seq_1...
    public string MultiRowAppend(int count)
    {
        var single = Query("append_event").TrimEnd().TrimEnd(';');
        var values = single.LastIndexOf("VALUES", StringComparison.Ordinal);
        if (values < 0)
        {
            throw new InvalidOperationException($"The {Folder} dialect's append_event has no VALUES row.");
        }

        var row = single[(values + "VALUES".Length)..].Trim();
        var rows = Enumerable.Range(0, count).Select(i => PerEventParameter().Replace(row, m => $"{m.Value}_{i}"));
        return $"{single[..values]}VALUES {string.Join(", ", rows)};";
    }

    public string Query(string name) =>
        Queries.TryGetValue(name, out var sql) ? sql : throw new InvalidOperationException($"The {Folder} dialect has no query named '{name}'.");

    // A queries file is a list of statements, each introduced by a line "-- name: some_name".
    internal static IReadOnlyDictionary<string, string> ParseQueries(string text)
    {
        var queries = new Dictionary<string, string>(StringComparer.Ordinal);
        string? name = null;
        var body = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            var header = QueryHeader().Match(line);
            if (header.Success)
            {
                Flush();
                name = header.Groups[1].Value;
                continue;
            }

            if (name is not null && !line.TrimStart().StartsWith("--", StringComparison.Ordinal))
            {
                body.Add(line.TrimEnd('\r'));
            }
        }

        Flush();
        return queries;

        void Flush()
        {
            if (name is not null)
            {
                queries.Add(name, string.Join('\n', body).Trim());
            }

            body.Clear();
        }
    }

    public static IReadOnlySet<string> ParametersOf(string sql) =>
        Parameter().Matches(sql).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);

    private IReadOnlyList<Migration> LoadMigrations()
    {
        var prefix = $"{ResourcePrefix}migrations/";
        return typeof(SqlDialect).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Select(n =>
            {
                var file = n[prefix.Length..];
                var version = int.Parse(file[..file.IndexOf('_', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
                return new Migration(version, file, ReadResource(n));
            })
            .OrderBy(m => m.Version)
            .ToList();
    }

    private static string ReadResource(string name)
    {
        using var stream = typeof(SqlDialect).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The SQL resource {name} is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"^--\s*name:\s*([a-z_]+)\s*$")]
    private static partial Regex QueryHeader();

    [GeneratedRegex(@"@[a-z_]+")]
    private static partial Regex Parameter();

    [GeneratedRegex(@"@(seq|payload|recorded_at)\b")]
    private static partial Regex PerEventParameter();
}

public sealed record Migration(int Version, string FileName, string Sql);

public sealed class SqliteDialect : SqlDialect, IDisposable
{
    private readonly string _connectionString;

    public SqliteDialect(string databasePath)
        : base("sqlite")
    {
        DatabasePath = Path.GetFullPath(databasePath);
        _connectionString = ConnectionStringFor(DatabasePath);
    }

    public static string ConnectionStringFor(string databasePath) => new SqliteConnectionStringBuilder
    {
        DataSource = Path.GetFullPath(databasePath),
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    public string DatabasePath { get; }

    public override string Describe => $"SQLite file {DatabasePath}";

    public override DbConnection CreateConnection()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        return new SqliteConnection(_connectionString);
    }

    // Pooled connections keep the file open; a stopped host lets go of it.
    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    // SQLITE_CONSTRAINT: the (grain, sequence) primary key is taken.
    public override bool IsUniqueViolation(DbException exception) =>
        exception is SqliteException { SqliteErrorCode: 19 };
}

public sealed class PostgresDialect(NpgsqlDataSource dataSource) : SqlDialect("postgres"), IAsyncDisposable
{
    public ValueTask DisposeAsync() => dataSource.DisposeAsync();

    public override string Describe
    {
        get
        {
            var builder = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
            return $"PostgreSQL database {builder.Database} on {builder.Host}:{builder.Port}";
        }
    }

    public override DbConnection CreateConnection() => dataSource.CreateConnection();

    public override bool IsUniqueViolation(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    // The journal runs the same few statements (one append per batch size, the reads) again and
    // again: unless the connection string says otherwise, Npgsql prepares each on its second use on
    // a connection, within the round trip that executes it (an explicit Prepare costs one of its own
    // for every batch size on every pooled connection), and keeps up to 64 per connection.
    public static PostgresDialect Create(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (!builder.ConnectionStringBuilder.ContainsKey("Max Auto Prepare"))
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
            builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        }

        return new PostgresDialect(builder.Build());
    }
}
