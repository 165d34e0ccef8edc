using System.Data.Common;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Events.Grains.Storage;

// Brings the schema up to the newest numbered migration this build carries. A database written
// by a newer build is refused before anything is written to it.
public sealed class SchemaMigrator(SqlDialect dialect, TimeProvider clock, ILogger<SchemaMigrator> logger)
{
    public int LatestVersion => dialect.Migrations.Count == 0 ? 0 : dialect.Migrations[^1].Version;

    public async Task<int> ReadVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = dialect.CreateConnection();
        await connection.OpenAsync(cancellationToken);
        return await ReadVersionAsync(connection, null, cancellationToken);
    }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = dialect.CreateConnection();
        await connection.OpenAsync(cancellationToken);

        var found = await ReadVersionAsync(connection, null, cancellationToken);
        if (found > LatestVersion)
        {
            throw new SchemaTooNewException(dialect.Describe, found, LatestVersion);
        }

        foreach (var migration in dialect.Migrations.Where(m => m.Version > found))
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, transaction, dialect.Query("lock_schema"), cancellationToken);

            // Another process may have migrated while this one waited for the lock.
            var current = await ReadVersionAsync(connection, transaction, cancellationToken);
            if (current >= migration.Version)
            {
                await transaction.RollbackAsync(cancellationToken);
                continue;
            }

            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
            await using (var record = connection.CreateCommand())
            {
                record.Transaction = transaction;
                record.CommandText = dialect.Query("record_schema_version");
                AdoJournalStore.Add(record, "@version", migration.Version);
                AdoJournalStore.Add(record, "@applied_at", clock.GetUtcNow());
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            logger.LogInformation("Applied migration {File} to {Database}", migration.FileName, dialect.Describe);
        }

        await ExecuteAsync(connection, null, dialect.Query("configure_database"), cancellationToken);
    }

    private async Task<int> ReadVersionAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var exists = connection.CreateCommand();
        exists.Transaction = transaction;
        exists.CommandText = dialect.Query("schema_version_table_exists");
        if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 0)
        {
            return 0;
        }

        await using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = dialect.Query("read_schema_version");
        return Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

public sealed class SchemaTooNewException(string database, int found, int known)
    : Exception($"The database {database} has schema version {found}, but this build of Events knows versions up to {known}. " +
        "It was written by a newer Events: run that version, or point Storage settings at another database. The database was left untouched.")
{
    public int FoundVersion { get; } = found;

    public int KnownVersion { get; } = known;
}
