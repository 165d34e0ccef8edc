using System.Net;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace Events.Web.Tests.Hosting;

public sealed class SiloProcessTests
{
    // Generous: a process starting on a busy machine can take minutes, and only a failure waits this long.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

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

    // The test's bin folder is a build folder, as `dotnet run -c Release` runs it: not a publish.
    [Fact]
    public async Task In_production_a_build_folder_serves_its_stylesheet_and_script_with_their_content()
    {
        var folder = EventsHost.NewDataFolder();
        try
        {
            await using var silo = SiloProcess.Start(folder, new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" });
            var address = await silo.WaitUntilListeningAsync(StartTimeout);
            using var client = new HttpClient { BaseAddress = address };

            var page = await client.GetStringAsync("/events/city-pilots-pitch-day", Ct);
            var assets = System.Text.RegularExpressions.Regex.Matches(page, @"(?:href|src)=""(/_content/[^""]+\.(?:css|js))""").Select(m => m.Groups[1].Value).ToList();
            Assert.Equal(3, assets.Count);
            foreach (var asset in assets)
            {
                using var response = await client.GetAsync(asset, Ct);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.True((await response.Content.ReadAsByteArrayAsync(Ct)).Length > 1000, $"{asset} came back (nearly) empty");
            }
        }
        finally
        {
            EventsHost.DeleteDataFolder(folder);
        }
    }

    [Fact]
    public async Task A_build_whose_static_assets_cannot_be_found_refuses_to_start_and_says_why()
    {
        var folder = EventsHost.NewDataFolder();
        try
        {
            await using var silo = SiloProcess.Start(
                folder,
                new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" },
                $"--staticWebAssets={Path.Combine(folder, "moved-away.staticwebassets.runtime.json")}");

            Assert.Equal(2, await silo.WaitForExitAsync(StartTimeout));
            Assert.Contains("static assets (CSS, scripts) are not where this build expects them", silo.Output);
            Assert.Contains("dotnet publish", silo.Output);
            Assert.DoesNotContain("Now listening on", silo.Output);
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
            // The known version moves on with every migration; the message names both.
            Assert.Matches(@"has schema version 42, but this build of Events knows versions up to \d+\.", silo.Output);
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

    [Fact]
    public async Task The_add_organiser_step_prints_a_sign_in_link_that_makes_the_person_organiser_of_every_event()
    {
        var folder = EventsHost.NewDataFolder();
        try
        {
            await using (var step = SiloProcess.Start(folder, "add-organiser", "Chief.Digital@Bizerte.example.org"))
            {
                Assert.Equal(0, await step.WaitForExitAsync(StartTimeout));
                Assert.Contains("chief.digital@bizerte.example.org organises every event on this installation.", step.Output);
                Assert.DoesNotContain("Now listening on", step.Output);
                var link = System.Text.RegularExpressions.Regex.Match(step.Output, @"Sign in within 15 minutes: (\S+)").Groups[1].Value;
                Assert.StartsWith("http://127.0.0.1:5080/signin/link?t=", link);

                await using var host = new EventsHost(folder);
                using var browser = new TestBrowser(host);
                await browser.GetPageAsync("/signin");
                using var signedIn = await browser.PostFormAsync("/signin/link", ("token", Uri.UnescapeDataString(link.Split("t=")[1])));
                Assert.Equal(HttpStatusCode.Found, signedIn.StatusCode);
                Assert.Contains("People: City Pilots Pitch Day", await browser.GetPageAsync("/events/city-pilots-pitch-day/people"));
            }
        }
        finally
        {
            EventsHost.DeleteDataFolder(folder);
        }
    }

    [Fact]
    public async Task The_add_organiser_step_refuses_a_malformed_address_and_changes_nothing()
    {
        var folder = EventsHost.NewDataFolder();
        try
        {
            await using var step = SiloProcess.Start(folder, "add-organiser", "not-an-address");

            Assert.Equal(1, await step.WaitForExitAsync(StartTimeout));
            Assert.Contains("is not an email address we can send to", step.Output);
            Assert.False(Directory.Exists(folder));
        }
        finally
        {
            EventsHost.DeleteDataFolder(folder);
        }
    }
}
