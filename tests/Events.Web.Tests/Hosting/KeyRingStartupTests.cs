using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Events.Grains.Storage;
using Events.Silo;
using Events.Web.Security;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.KeyManagement.Internal;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Events.Web.Tests.Hosting;

// Two silos started at the same instant on a database with no data-protection key yet. Each
// must not make a key of its own: ASP.NET Core keeps its key ring cached and re-reads it for an
// unknown key only in its first two minutes, so after those a silo with a key of its own refuses
// the other's forms ("Form expired") and sign-in cookies. Those two minutes also mean a test that
// posts across the silos soon after start cannot see the refusal; it asserts its cause as well:
// the installation has one key, and both silos protect with it from their first request on.
public sealed partial class KeyRingStartupTests : IAsyncDisposable
{
    private readonly List<SiloCluster> _clusters = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        foreach (var cluster in _clusters)
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task Two_silos_started_at_once_on_an_empty_database_share_one_key_so_each_accepts_the_others_forms_and_sign_ins()
    {
        var cluster = await SiloCluster.CreateAsync();
        _clusters.Add(cluster);

        // The schema is migrated here so that the key table can be locked against writes before
        // the silos start (otherwise the database is as new: no key, no silo). Reads go on: each
        // silo reads the empty ring and then waits to write, so both have looked before either
        // writes, the moment at which two silos starting together each decide to make a key.
        await using (var dialect = PostgresDialect.Create(cluster.ConnectionString))
        {
            await new SchemaMigrator(dialect, TimeProvider.System, NullLogger<SchemaMigrator>.Instance).MigrateAsync(Ct);
        }

        ClusterSilo[] silos;
        await using (var holder = new NpgsqlConnection(cluster.ConnectionString))
        {
            await holder.OpenAsync(Ct);
            await using var transaction = await holder.BeginTransactionAsync(Ct);
            await using (var block = new NpgsqlCommand("LOCK TABLE data_protection_keys IN EXCLUSIVE MODE", holder, transaction))
            {
                await block.ExecuteNonQueryAsync(Ct);
            }

            var holderPid = holder.ProcessID;
            var starting = cluster.StartAsync(2);
            await Eventually.UntilAsync(
                "both silos waiting on the key table or on each other",
                async () =>
                {
                    if (starting.IsCompleted)
                    {
                        await starting;
                        Assert.Fail("The silos started while the key table was locked: neither wrote a key.");
                    }

                    return await WaitingBehindAsync(cluster, holderPid) >= 2;
                },
                SiloCluster.StartTimeout);
            await transaction.CommitAsync(Ct);
            silos = await starting;
        }

        var (a, b) = (silos[0], silos[1]);
        var keys = await KeyIdsAsync(cluster);
        Assert.True(keys.Count == 1, $"The installation has {keys.Count} data-protection keys: {string.Join(", ", keys)}.");
        var key = keys[0];

        // Each silo's first page: its antiforgery token is protected with the one key.
        var fromA = cluster.NewBrowser();
        Assert.Equal(key, KeyIdOf(FormToken(await fromA.GetPageAsync(a, "/signin"))));
        var fromB = cluster.NewBrowser();
        Assert.Equal(key, KeyIdOf(FormToken(await fromB.GetPageAsync(b, "/signin"))));

        // A form page from one silo, posted to the other (by newcomers: the organiser's codes are read below).
        using (var posted = await fromA.PostFormAsync(b, "/signin", ("email", $"someone-{Guid.NewGuid():N}@kampala.example.org")))
        {
            Assert.True(posted.StatusCode == HttpStatusCode.Found, $"A's sign-in form posted to B answered {(int)posted.StatusCode}.");
        }

        using (var posted = await fromB.PostFormAsync(a, "/signin", ("email", $"someone-{Guid.NewGuid():N}@bizerte.example.org")))
        {
            Assert.True(posted.StatusCode == HttpStatusCode.Found, $"B's sign-in form posted to A answered {(int)posted.StatusCode}.");
        }

        // A sign-in made by one silo is honoured by the other, forms included.
        foreach (var (signedInAt, usedAt) in new[] { (a, b), (b, a) })
        {
            var organiser = cluster.NewBrowser();
            await organiser.SignInAsync(signedInAt, DemoEvent.OrganiserEmail);
            Assert.Equal(key, KeyIdOf(organiser.Cookies[SecuritySetup.AuthCookie]));
            await organiser.GetPageAsync(usedAt, $"/events/{DemoEvent.Slug}/people");
            await organiser.GetPageAsync(signedInAt, $"/events/{DemoEvent.Slug}/people");
            using var invited = await organiser.PostFormAsync(usedAt, $"/events/{DemoEvent.Slug}/invitations", ("role", "Attendee"), ("team", ""), ("validDays", "14"), ("maxUses", "1"));
            Assert.True(invited.StatusCode == HttpStatusCode.Found, $"An invitation form from {signedInAt}, signed in there, posted to {usedAt} answered {(int)invited.StatusCode}.");
        }
    }

    public static TheoryData<string> Databases => ["sqlite", "postgres"];

    // The lock on each database, without silos: several start-ups making sure of the key at the
    // same moment, each with a data-protection stack of its own, make one key and all use it.
    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Start_ups_making_sure_of_the_key_at_the_same_moment_make_one_key_and_all_use_it(string database)
    {
        const int starts = 4;
        var folder = Path.Combine(Path.GetTempPath(), "events-key-ring-tests", Guid.NewGuid().ToString("N"));
        var admin = database == "postgres" ? SiloCluster.PostgresConnectionString() : null;
        var schema = "key_ring_" + Guid.NewGuid().ToString("N")[..16];
        SqlDialect dialect;
        if (admin is null)
        {
            dialect = new SqliteDialect(Path.Combine(folder, "events.db"));
        }
        else
        {
            await ExecuteAsync(admin, $"CREATE SCHEMA {schema}");
            dialect = PostgresDialect.Create(new NpgsqlConnectionStringBuilder(admin) { SearchPath = schema }.ConnectionString);
        }

        var providers = new List<ServiceProvider>();
        try
        {
            await new SchemaMigrator(dialect, TimeProvider.System, NullLogger<SchemaMigrator>.Instance).MigrateAsync(Ct);
            for (var i = 0; i < starts; i++)
            {
                var services = new ServiceCollection().AddLogging().AddSingleton(dialect);
                DatabaseKeyRing.AddTo(services);
                providers.Add(services.BuildServiceProvider());
            }

            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var made = providers.Select(p => Task.Run(
                async () =>
                {
                    await go.Task;
                    return p.GetRequiredService<DatabaseKeyRing>().EnsureDefaultKey(
                        p.GetRequiredService<IKeyManager>(),
                        p.GetRequiredService<IDefaultKeyResolver>(),
                        p.GetRequiredService<IOptions<KeyManagementOptions>>().Value.NewKeyLifetime);
                },
                Ct)).ToArray();
            go.SetResult();
            var outcomes = await Task.WhenAll(made);

            Assert.Single(outcomes, o => o.Created);
            Assert.Single(outcomes.Select(o => o.KeyId).Distinct());
            var stored = providers[0].GetRequiredService<IKeyManager>().GetAllKeys();
            Assert.Equal(outcomes[0].KeyId, Assert.Single(stored).KeyId);
        }
        finally
        {
            foreach (var provider in providers)
            {
                await provider.DisposeAsync();
            }

            if (dialect is PostgresDialect postgres)
            {
                await postgres.DisposeAsync();
                await ExecuteAsync(admin!, $"DROP SCHEMA {schema} CASCADE");
            }
            else
            {
                ((SqliteDialect)dialect).Dispose();
                SqliteConnection.ClearAllPools();
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    // Sessions waiting, directly or behind another waiter, on the lock the test holds.
    private static async Task<long> WaitingBehindAsync(SiloCluster cluster, int holderPid)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            """
            WITH RECURSIVE waiting(pid) AS (
                SELECT pid FROM pg_locks WHERE NOT granted AND @holder = ANY(pg_blocking_pids(pid))
                UNION
                SELECT l.pid FROM pg_locks l JOIN waiting w ON w.pid = ANY(pg_blocking_pids(l.pid)) WHERE NOT l.granted
            )
            SELECT COUNT(*) FROM waiting
            """,
            connection);
        command.Parameters.AddWithValue("holder", holderPid);
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    // The ids of the keys (not revocations or other elements) in the installation's key ring.
    private static async Task<List<Guid>> KeyIdsAsync(SiloCluster cluster)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT xml FROM data_protection_keys", connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var ids = new List<Guid>();
        while (await reader.ReadAsync(Ct))
        {
            var element = XElement.Parse(reader.GetString(0));
            if (element.Name.LocalName == "key")
            {
                ids.Add(Guid.Parse(element.Attribute("id")!.Value));
            }
        }

        return ids;
    }

    // A data-protection payload (a form token, a cookie) starts with a 4-byte magic header and
    // then the id of the key that protected it.
    private static Guid KeyIdOf(string protectedValue) => new(WebEncoders.Base64UrlDecode(protectedValue).AsSpan(4, 16));

    private static string FormToken(string html)
    {
        var match = TokenPattern().Match(html);
        Assert.True(match.Success, "No form token on the page.");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
