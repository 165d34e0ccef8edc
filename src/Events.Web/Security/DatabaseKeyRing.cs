using System.Data.Common;
using System.Xml.Linq;
using Events.Grains.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.KeyManagement.Internal;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Events.Web.Security;

// The data-protection key ring in the installation's database (migration 0003), so that every
// silo signs and reads cookies and antiforgery tokens with the same keys. ASP.NET Core calls the
// repository synchronously and rarely (start-up, key rotation), hence plain synchronous ADO.NET.
public sealed class DatabaseKeyRing(SqlDialect dialect) : IXmlRepository
{
    public const string ApplicationName = "Events";

    // While EnsureDefaultKey holds the key-ring lock, ASP.NET Core's reads and writes on that call
    // path go through the locked transaction (SQLite would otherwise wait on its own write lock).
    private readonly AsyncLocal<DbTransaction?> _locked = new();

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        if (_locked.Value is { } transaction)
        {
            return Read(transaction.Connection!, transaction);
        }

        using var connection = dialect.CreateConnection();
        connection.Open();
        return Read(connection, null);
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        if (_locked.Value is { } transaction)
        {
            Write(transaction.Connection!, transaction, element, friendlyName);
            return;
        }

        using var connection = dialect.CreateConnection();
        connection.Open();
        Write(connection, null, element, friendlyName);
    }

    // ASP.NET Core makes a key when it first finds none usable, and then keeps its key ring cached:
    // it re-reads the ring for a payload under an unknown key only in its first two minutes, and
    // otherwise about once a day. Two silos starting at once on an empty database would each make
    // a key and, after those two minutes, refuse each other's forms and sign-in cookies. So, before
    // a silo serves, one key is made under a database lock held across "read the keys, make one if
    // none is usable": whichever silo comes second finds that key and uses it from its first request.
    // Returns the default key's id and whether this call made it.
    public (Guid KeyId, bool Created) EnsureDefaultKey(IKeyManager keys, IDefaultKeyResolver resolver, TimeSpan newKeyLifetime)
    {
        using var connection = dialect.CreateConnection();
        connection.Open();
        // Microsoft.Data.Sqlite begins it IMMEDIATE: SQLite's write lock from the first statement.
        using var transaction = connection.BeginTransaction();
        using (var lockRing = Command(connection, transaction, dialect.Query("lock_key_ring")))
        {
            lockRing.ExecuteNonQuery();
        }

        _locked.Value = transaction;
        try
        {
            // ASP.NET Core's key ring judges keys by the machine's clock, not the application's.
            var now = DateTimeOffset.UtcNow;
            var found = resolver.ResolveDefaultKeyPolicy(now, keys.GetAllKeys()).DefaultKey;
            var key = found ?? keys.CreateNewKey(now, now + newKeyLifetime);
            transaction.Commit();
            return (key.KeyId, found is null);
        }
        finally
        {
            _locked.Value = null;
        }
    }

    private List<XElement> Read(DbConnection connection, DbTransaction? transaction)
    {
        using var command = Command(connection, transaction, dialect.Query("read_data_protection_keys"));
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read())
        {
            elements.Add(XElement.Parse(reader.GetString(0)));
        }

        return elements;
    }

    private void Write(DbConnection connection, DbTransaction? transaction, XElement element, string friendlyName)
    {
        using var command = Command(connection, transaction, dialect.Query("write_data_protection_key"));
        AddParameter(command, "@friendly_name", friendlyName);
        AddParameter(command, "@xml", element.ToString(SaveOptions.DisableFormatting));
        command.ExecuteNonQuery();
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static void AddParameter(DbCommand command, string name, string value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    // One key ring per installation, whichever machine or folder a silo runs from.
    public static void AddTo(IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddSingleton<DatabaseKeyRing>();
        services.AddOptions<KeyManagementOptions>()
            .Configure<DatabaseKeyRing>((options, ring) => options.XmlRepository = ring);
    }
}

// Makes sure of the installation's one key before anything is served. Registered by the silo
// after the schema migration (the table must exist) and before ASP.NET Core's own data-protection
// start-up, which would otherwise make a key of its own, unlocked.
public sealed class KeyRingStartup(
    DatabaseKeyRing ring,
    IKeyManager keys,
    IDefaultKeyResolver resolver,
    IOptions<KeyManagementOptions> options,
    ILogger<KeyRingStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var (keyId, created) = ring.EnsureDefaultKey(keys, resolver, options.Value.NewKeyLifetime);
        if (created)
        {
            logger.LogInformation("Made the installation's data-protection key {KeyId}", keyId);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
