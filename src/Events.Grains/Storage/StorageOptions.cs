namespace Events.Grains.Storage;

public enum StorageProvider
{
    Sqlite,
    PostgreSql,
}

public sealed class StorageOptions
{
    public const string Section = "Storage";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    // SQLite keeps its file here, relative to the working directory.
    public string DataFolder { get; set; } = "data";

    // Overrides DataFolder: the full path of the SQLite file.
    public string? SqlitePath { get; set; }

    // PostgreSQL only; ConnectionStrings:Events is used when this is empty.
    public string? ConnectionString { get; set; }

    public string ResolveSqlitePath() => SqlitePath is { Length: > 0 } path ? path : Path.Combine(DataFolder, "events.db");
}
