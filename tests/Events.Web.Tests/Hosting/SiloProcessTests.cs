using System.Net;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace Events.Web.Tests.Hosting;

public sealed class SiloProcessTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_silo_serves_the_demo_agenda_and_shuts_down_cleanly_on_ctrl_c()
    {
        var folder = EventsHost.NewDataFolder();
        try
        {
            await using var silo = SiloProcess.Start(folder);
            var address = await silo.WaitUntilListeningAsync(StartTimeout);
            using var client = new HttpClient { BaseAddress = address };

            using var page = await client.GetAsync("/events/city-pilots-pitch-day", Ct);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("Global Mixer", await page.Content.ReadAsStringAsync(Ct));

            silo.Interrupt();

            Assert.Equal(0, await silo.WaitForExitAsync(StartTimeout));
            Assert.Contains("Application is shutting down", silo.Output);
            Assert.True(File.Exists(Path.Combine(folder, "events.db")));
        }
        finally
        {
            EventsHost.DeleteDataFolder(folder);
        }
    }

    [Fact]
    public async Task A_database_from_a_newer_version_stops_start_up_with_a_clear_message_and_is_left_byte_for_byte_unchanged()
    {
        var folder = EventsHost.NewDataFolder();
        try
        {
            await using (var first = new EventsHost(folder))
            {
                first.StartServer();
            }

            var path = Path.Combine(folder, "events.db");
            await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
            {
                await connection.OpenAsync(Ct);
                await using var command = new SqliteCommand("PRAGMA journal_mode = DELETE; INSERT INTO schema_version (version, applied_at) VALUES (42, 'from the future');", connection);
                await command.ExecuteNonQueryAsync(Ct);
            }

            var before = SHA256.HashData(await File.ReadAllBytesAsync(path, Ct));

            await using var silo = SiloProcess.Start(folder);
            var exitCode = await silo.WaitForExitAsync(StartTimeout);

            Assert.Equal(2, exitCode);
            Assert.Contains("has schema version 42, but this build of Events knows versions up to 1", silo.Output);
            Assert.Contains("The database was left untouched.", silo.Output);
            Assert.DoesNotContain("Now listening on", silo.Output);
            Assert.Equal(before, SHA256.HashData(await File.ReadAllBytesAsync(path, Ct)));
            Assert.Equal(["events.db"], Directory.GetFiles(folder).Select(Path.GetFileName));
        }
        finally
        {
            EventsHost.DeleteDataFolder(folder);
        }
    }
}
