using System.Data.Common;
using System.Net;
using System.Net.Sockets;
using Events.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService;
using Orleans.Storage;

namespace Events.Grains.Tests.Storage;

// Migration 0002_orleans against Orleans itself. Orleans' ADO.NET clustering and grain storage run
// only the statements our migration stores in OrleansQuery, so each test migrates a database of
// its own with SchemaMigrator and starts real silos (or Orleans' own clustering table) on it.
public sealed class OrleansTablesTests
{
    public static TheoryData<string> Databases => [TestDatabase.Sqlite, TestDatabase.Postgres];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DateTime At = new(2026, 12, 1, 9, 30, 0, DateTimeKind.Utc);

    // Every key Orleans 10.4.2 reads: clustering refuses to start without any of the first nine;
    // grain storage needs the next three, and DeleteStorageKey when DeleteStateOnClear is set.
    private static readonly string[] OrleansQueryKeys =
    [
        "CleanupDefunctSiloEntriesKey", "DeleteMembershipTableEntriesKey", "GatewaysQueryKey",
        "InsertMembershipKey", "InsertMembershipVersionKey", "MembershipReadAllKey",
        "MembershipReadRowKey", "UpdateIAmAlivetimeKey", "UpdateMembershipKey",
        "ClearStorageKey", "ReadFromStorageKey", "WriteToStorageKey",
        "DeleteStorageKey",
    ];

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task The_migration_stores_every_statement_orleans_reads(string database)
    {
        await using var db = await OrleansDatabase.CreateAsync(database);
        await using var connection = await db.OpenAsync();
        await using var command = connection.CreateCommand();

        // Orleans' own bootstrap query, unquoted as Orleans sends it.
        command.CommandText = "SELECT QueryKey, QueryText FROM OrleansQuery";
        var keys = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                keys.Add(reader.GetString(reader.GetOrdinal("QueryKey")));
                Assert.False(string.IsNullOrWhiteSpace(reader.GetString(reader.GetOrdinal("QueryText"))));
            }
        }

        Assert.Equal(OrleansQueryKeys.Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task State_a_grain_wrote_is_read_back_by_a_restarted_silo(string database)
    {
        await using var db = await OrleansDatabase.CreateAsync(database);
        var cluster = ClusterNames.New();

        await using (var silo = await db.StartSiloAsync(cluster, db.ClusteringOfAnInstallation))
        {
            var a = silo.Counter<IClearingCounterGrain>("a");
            Assert.Equal(5, await a.AddAsync(5));
            Assert.Equal(7, await a.AddAsync(2));
            Assert.Equal(1, await silo.Counter<IClearingCounterGrain>("b").AddAsync(1));
        }

        await using (var silo = await db.StartSiloAsync(cluster, db.ClusteringOfAnInstallation))
        {
            var a = silo.Counter<IClearingCounterGrain>("a");
            Assert.Equal(7, await a.GetAsync());
            Assert.Equal(("2", true), await a.StateInfoAsync());
            Assert.Equal(1, await silo.Counter<IClearingCounterGrain>("b").GetAsync());
            var unwritten = silo.Counter<IClearingCounterGrain>("never-written");
            Assert.Equal(0, await unwritten.GetAsync());
            Assert.Equal((null, false), await unwritten.StateInfoAsync());
        }

        Assert.Equal(2L, await db.ScalarAsync("SELECT COUNT(*) FROM OrleansStorage WHERE ServiceId = @service", ("@service", cluster.ServiceId)));
    }

    // Two silos of one service that do not know each other (two clusters: a split brain) each
    // activate the same grain; the database decides which write wins.
    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_write_with_a_stale_etag_is_refused(string database)
    {
        await using var db = await OrleansDatabase.CreateAsync(database);
        var serviceId = ClusterNames.New().ServiceId;
        await using var first = await db.StartSiloAsync(ClusterNames.New() with { ServiceId = serviceId }, Clustering.Localhost);
        await using var second = await db.StartSiloAsync(ClusterNames.New() with { ServiceId = serviceId }, Clustering.Localhost);
        var inFirst = first.Counter<IClearingCounterGrain>("contested");
        var inSecond = second.Counter<IClearingCounterGrain>("contested");
        Assert.Equal(0, await inFirst.GetAsync());
        Assert.Equal(0, await inSecond.GetAsync());

        Assert.Equal(1, await inFirst.AddAsync(1));

        // The second copy read no row, so its write is a first write and collides with the row.
        await Assert.ThrowsAsync<InconsistentStateException>(() => inSecond.AddAsync(10));

        // Orleans drops an activation whose write was refused; the next one reads the row.
        Assert.Equal(11, await inSecond.AddAsync(10));

        // Now the first copy holds version 1 of a row at version 2.
        await Assert.ThrowsAsync<InconsistentStateException>(() => inFirst.AddAsync(1));
        Assert.Equal(11, await inFirst.GetAsync());
        Assert.Equal(2L, await db.ScalarAsync(
            "SELECT Version FROM OrleansStorage WHERE ServiceId = @service AND GrainTypeString = 'clearing-counter'", ("@service", serviceId)));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Clearing_empties_the_row_or_deletes_it_and_refuses_a_stale_etag(string database)
    {
        await using var db = await OrleansDatabase.CreateAsync(database);
        var cluster = ClusterNames.New();
        var service = ("@service", (object)cluster.ServiceId);

        await using (var silo = await db.StartSiloAsync(cluster, Clustering.Localhost))
        {
            var clearing = silo.Counter<IClearingCounterGrain>("c");
            var deleting = silo.Counter<IDeletingCounterGrain>("c");
            await clearing.AddAsync(3);
            await deleting.AddAsync(3);

            await clearing.ClearAsync();
            await deleting.ClearAsync();

            Assert.Equal(0, await clearing.GetAsync());
            Assert.Equal(("2", false), await clearing.StateInfoAsync());
            Assert.Equal(1L, await db.ScalarAsync(
                "SELECT COUNT(*) FROM OrleansStorage WHERE ServiceId = @service AND GrainTypeString = 'clearing-counter' AND PayloadBinary IS NULL", service));
            Assert.Equal(0, await deleting.GetAsync());
            Assert.Equal((null, false), await deleting.StateInfoAsync());
            Assert.Equal(0L, await db.ScalarAsync(
                "SELECT COUNT(*) FROM OrleansStorage WHERE ServiceId = @service AND GrainTypeString = 'deleting-counter'", service));

            // Both write again after a clear: the emptied row moves on, the deleted one starts over.
            Assert.Equal(4, await clearing.AddAsync(4));
            Assert.Equal(("3", true), await clearing.StateInfoAsync());
            Assert.Equal(4, await deleting.AddAsync(4));
            Assert.Equal(("1", true), await deleting.StateInfoAsync());

            // Someone else wrote behind these activations' backs: their clears are refused.
            await db.ScalarAsync("UPDATE OrleansStorage SET Version = Version + 1 WHERE ServiceId = @service", service);
            await Assert.ThrowsAsync<InconsistentStateException>(() => clearing.ClearAsync());
            await Assert.ThrowsAsync<InconsistentStateException>(() => deleting.ClearAsync());
        }

        await using (var silo = await db.StartSiloAsync(cluster, Clustering.Localhost))
        {
            Assert.Equal(4, await silo.Counter<IClearingCounterGrain>("c").GetAsync());
            Assert.Equal(4, await silo.Counter<IDeletingCounterGrain>("c").GetAsync());
        }
    }

    // PostgreSQL is how several silos share one cluster; SQLite carries the same tables for
    // silos on one machine.
    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Two_silos_on_the_membership_tables_form_one_cluster(string database)
    {
        await using var db = await OrleansDatabase.CreateAsync(database);
        var cluster = ClusterNames.New();
        await using var first = await db.StartSiloAsync(cluster, Clustering.AdoNet);
        await using var second = await db.StartSiloAsync(cluster, Clustering.AdoNet);

        await first.WaitForActiveSilosAsync(2);
        await second.WaitForActiveSilosAsync(2);
        Assert.Equal(2L, await db.ScalarAsync(
            "SELECT COUNT(*) FROM OrleansMembershipTable WHERE DeploymentId = @cluster AND Status = 3", ("@cluster", cluster.ClusterId)));

        // A grain activated on the first silo is found from the second through the cluster's grain
        // directory, and from a client that found the silos' gateways in the table.
        Assert.NotEqual(first.Address, second.Address);
        var shared = await GrainOnFirstFoundFromSecondAsync();
        using (var client = await db.StartClientAsync(cluster))
        {
            Assert.Equal(first.Address, await client.Services.GetRequiredService<IGrainFactory>().GetGrain<IClearingCounterGrain>(shared).SiloAsync());
            await client.StopAsync(Ct);
        }

        // A silo that leaves is marked dead (6) in the table and the other one sees it go.
        await second.DisposeAsync();
        await first.WaitForActiveSilosAsync(1);
        Assert.Equal(1L, await db.ScalarAsync(
            "SELECT COUNT(*) FROM OrleansMembershipTable WHERE DeploymentId = @cluster AND Status = 6", ("@cluster", cluster.ClusterId)));

        // Just after a join a silo's grain directory may still route by its previous view, so a
        // grain activated in that moment can be activated a second time on the other silo (Orleans'
        // default directory is eventually consistent). Fresh grains are tried until the views agree.
        async Task<string> GrainOnFirstFoundFromSecondAsync()
        {
            var found = await Eventually.UntilAsync(
                $"a grain activated on {first.Address} to be found there when called through {second.Address}",
                async () =>
                {
                    var key = "shared-" + Guid.NewGuid().ToString("N");
                    Assert.Equal(first.Address, await first.Counter<IClearingCounterGrain>(key).SiloAsync());
                    return (Key: key, FoundOn: await second.Counter<IClearingCounterGrain>(key).SiloAsync());
                },
                tried => tried.FoundOn == first.Address);
            return found.Key;
        }
    }

    // The membership protocol's fence, through Orleans' own clustering table class: every change of
    // a silo row needs the table version the writer read and moves it on; heartbeats do not.
    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Membership_changes_need_the_current_table_version_and_move_it_on(string database)
    {
        await using var db = await OrleansDatabase.CreateAsync(database);
        var cluster = ClusterNames.New();
        var table = db.MembershipTable(cluster);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true, Ct);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true, Ct);
        var empty = await table.ReadAllAsync(Ct);
        Assert.Empty(empty.Members);
        var first = Entry(1, SiloStatus.Joining);
        var second = Entry(2, SiloStatus.Joining);

        Assert.True(await table.InsertRowAsync(first, empty.Version.Next(), Ct));
        Assert.False(await table.InsertRowAsync(second, empty.Version.Next(), Ct));
        var one = await table.ReadAllAsync(Ct);
        Assert.Equal(empty.Version.Version + 1, one.Version.Version);
        var (read, etag) = Assert.Single(one.Members);
        Assert.Equal(
            (first.SiloAddress, first.SiloName, first.HostName, first.Status, first.ProxyPort, first.StartTime, first.IAmAliveTime),
            (read.SiloAddress, read.SiloName, read.HostName, read.Status, read.ProxyPort, read.StartTime, read.IAmAliveTime));
        Assert.False(await table.InsertRowAsync(first, one.Version.Next(), Ct));

        first.Status = SiloStatus.Active;
        first.AddSuspector(second.SiloAddress, At.AddSeconds(5));
        Assert.True(await table.UpdateRowAsync(first, etag, one.Version.Next(), Ct));
        Assert.False(await table.UpdateRowAsync(first, etag, one.Version.Next(), Ct));
        var two = await table.ReadRowAsync(first.SiloAddress, Ct);
        Assert.Equal(one.Version.Version + 1, two.Version.Version);
        read = Assert.Single(two.Members).Item1;
        Assert.Equal(SiloStatus.Active, read.Status);
        Assert.Equal([(second.SiloAddress, At.AddSeconds(5))], read.SuspectTimes!.Select(s => (s.Item1, s.Item2)));

        first.IAmAliveTime = At.AddMinutes(1);
        await table.UpdateIAmAliveAsync(first, Ct);
        var alive = await table.ReadRowAsync(first.SiloAddress, Ct);
        Assert.Equal(two.Version, alive.Version);
        Assert.Equal(At.AddMinutes(1), Assert.Single(alive.Members).Item1.IAmAliveTime);
        Assert.Empty((await table.ReadRowAsync(second.SiloAddress, Ct)).Members);

        // Clean-up forgets dead silos that went quiet before the cut-off, nothing else.
        Assert.True(await table.InsertRowAsync(second, alive.Version.Next(), Ct));
        second.Status = SiloStatus.Dead;
        var three = await table.ReadAllAsync(Ct);
        Assert.True(await table.UpdateRowAsync(second, three.Version.VersionEtag, three.Version.Next(), Ct));
        await table.CleanupDefunctSiloEntriesAsync(At.AddMinutes(10), Ct);
        Assert.Equal([first.SiloAddress], (await table.ReadAllAsync(Ct)).Members.Select(m => m.Item1.SiloAddress));

        await table.DeleteMembershipTableEntriesAsync(cluster.ClusterId, Ct);
        Assert.Equal(0L, await db.ScalarAsync(
            "SELECT COUNT(*) FROM OrleansMembershipVersionTable WHERE DeploymentId = @cluster", ("@cluster", cluster.ClusterId)));

        static MembershipEntry Entry(int generation, SiloStatus status) => new()
        {
            SiloAddress = SiloAddress.New(IPAddress.Loopback, 11111, generation),
            SiloName = $"silo-{generation}",
            HostName = "test-host",
            Status = status,
            ProxyPort = 30000 + generation,
            StartTime = At,
            IAmAliveTime = At,
        };
    }

    private enum Clustering
    {
        Localhost,
        AdoNet,
    }

    private sealed record ClusterNames(string ServiceId, string ClusterId)
    {
        public static ClusterNames New()
        {
            var id = Guid.NewGuid().ToString("N")[..12];
            return new ClusterNames("service-" + id, "cluster-" + id);
        }
    }

    // A database migrated by SchemaMigrator, and what Orleans needs to reach it.
    private sealed class OrleansDatabase : IAsyncDisposable
    {
        private readonly TestDatabase _database;
        private readonly ServiceProvider _services;

        private OrleansDatabase(TestDatabase database)
        {
            _database = database;
            _services = database.CreateServices();
            if (database.Options.Provider == StorageProvider.Sqlite)
            {
                // Orleans knows Microsoft.Data.Sqlite by this name only. The connection settings
                // (busy timeout, pooling) are the journal's own.
                Invariant = "System.Data.SQLite";
                ConnectionString = SqliteDialect.ConnectionStringFor(database.Options.ResolveSqlitePath());
            }
            else
            {
                Invariant = "Npgsql";
                ConnectionString = database.Options.ConnectionString!;
            }
        }

        public string Invariant { get; }

        public string ConnectionString { get; }

        // What an installation on this database uses: one SQLite silo alone, PostgreSQL silos
        // through the membership tables.
        public Clustering ClusteringOfAnInstallation =>
            _database.Options.Provider == StorageProvider.Sqlite ? Clustering.Localhost : Clustering.AdoNet;

        public static async Task<OrleansDatabase> CreateAsync(string provider)
        {
            var db = new OrleansDatabase(await TestDatabase.CreateAsync(provider));
            try
            {
                await db._services.GetRequiredService<SchemaMigrator>().MigrateAsync(Ct);
                return db;
            }
            catch
            {
                await db.DisposeAsync();
                throw;
            }
        }

        public async Task<DbConnection> OpenAsync()
        {
            var connection = _services.GetRequiredService<SqlDialect>().CreateConnection();
            await connection.OpenAsync(Ct);
            return connection;
        }

        public async Task<object?> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
        {
            await using var connection = await OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value;
                command.Parameters.Add(parameter);
            }

            var result = await command.ExecuteScalarAsync(Ct);

            // SQLite answers integers as long, PostgreSQL as the column's type.
            return result is int number ? (long)number : result;
        }

        // Orleans' membership table class on this database, as a silo of the cluster would use it.
        public AdoNetClusteringTable MembershipTable(ClusterNames names) => new(
            _services,
            Options.Create(new ClusterOptions { ServiceId = names.ServiceId, ClusterId = names.ClusterId }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = Invariant, ConnectionString = ConnectionString }),
            NullLogger<AdoNetClusteringTable>.Instance);

        public async Task<TestSilo> StartSiloAsync(ClusterNames names, Clustering clustering)
        {
            var siloPort = FreePort();
            var gatewayPort = FreePort();
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.UseOrleans(silo =>
            {
                if (clustering == Clustering.AdoNet)
                {
                    silo.UseAdoNetClustering(o =>
                    {
                        o.Invariant = Invariant;
                        o.ConnectionString = ConnectionString;
                    });
                    silo.Configure<ClusterOptions>(o =>
                    {
                        o.ServiceId = names.ServiceId;
                        o.ClusterId = names.ClusterId;
                    });
                    silo.ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort, listenOnAnyHostAddress: false);
                }
                else
                {
                    silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: names.ServiceId, clusterId: names.ClusterId);
                }

                silo.AddAdoNetGrainStorage(CounterGrain.ClearingStorage, o =>
                {
                    o.Invariant = Invariant;
                    o.ConnectionString = ConnectionString;
                });
                silo.AddAdoNetGrainStorage(CounterGrain.DeletingStorage, o =>
                {
                    o.Invariant = Invariant;
                    o.ConnectionString = ConnectionString;
                    o.DeleteStateOnClear = true;
                });
            });

            var host = builder.Build();
            await host.StartAsync(Ct);
            return new TestSilo(host);
        }

        // A client outside the silos, which finds them through GatewaysQueryKey.
        public async Task<IHost> StartClientAsync(ClusterNames names)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.UseOrleansClient(client =>
            {
                client.UseAdoNetClustering(o =>
                {
                    o.Invariant = Invariant;
                    o.ConnectionString = ConnectionString;
                });
                client.Configure<ClusterOptions>(o =>
                {
                    o.ServiceId = names.ServiceId;
                    o.ClusterId = names.ClusterId;
                });
            });

            var host = builder.Build();
            await host.StartAsync(Ct);
            return host;
        }

        // The database's services go with it.
        public ValueTask DisposeAsync() => _database.DisposeAsync();

        // Another process may take the port before the silo binds it; rare enough for tests.
        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }

    private sealed class TestSilo(IHost host) : IAsyncDisposable
    {
        private bool _stopped;

        public string Address { get; } = host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString();

        // Calls made through this silo's own grain factory start on this silo, so
        // [PreferLocalPlacement] activates grains here.
        public T Counter<T>(string key)
            where T : IOrleansTablesCounter =>
            host.Services.GetRequiredService<IGrainFactory>().GetGrain<T>(key);

        public async Task WaitForActiveSilosAsync(int count)
        {
            var membership = host.Services.GetRequiredService<IClusterMembershipService>();
            await Eventually.UntilAsync($"silo {Address} to see {count} active silos", Active, active => active.Count == count);

            List<SiloAddress> Active() =>
                membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).ToList();
        }

        // Stops gracefully, as a deployment would, so the silo leaves the cluster.
        public async ValueTask DisposeAsync()
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            await host.StopAsync(CancellationToken.None);
            host.Dispose();
        }
    }
}
