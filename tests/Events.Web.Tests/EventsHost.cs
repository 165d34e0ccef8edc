using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Events.Web.Mail;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Web.Tests;

// The real Events.Silo on a real Kestrel socket on loopback, over a SQLite folder of its own.
public sealed class EventsHost : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string> _settings;

    private readonly bool _ownsDataFolder;

    // Without a data folder the host makes one of its own and deletes it when disposed.
    public EventsHost(string? dataFolder = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        _ownsDataFolder = dataFolder is null;
        DataFolder = dataFolder ?? NewDataFolder();
        _settings = new(settings ?? new Dictionary<string, string>());
        UseKestrel(0);
    }

    // The server's clock: tests move it forward to expire links, codes and invitations.
    public ManualClock Clock { get; } = new();

    public OutboxMailSender Outbox => Services.GetRequiredService<OutboxMailSender>();

    public string DataFolder { get; }

    // Extra test services (a log capture, a stand-in), added after the server's own.
    public Action<IServiceCollection>? TestServices { get; init; }

    public string DatabasePath => Path.Combine(DataFolder, "events.db");

    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

    // Mail sent from a background pump (after a grain's commit) arrives a moment later.
    public Task<StoredMail> MailToAsync(string to, string subject) =>
        Eventually.FoundAsync($"a mail '{subject}' to {to}", () => Outbox.ReadAll().FirstOrDefault(m => m.To == to && m.Subject == subject));

    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string NewDataFolder() => Path.Combine(Path.GetTempPath(), "events-web-tests", Guid.NewGuid().ToString("N"));

    // A client that talks HTTP to the started server; redirects are left for the test to see.
    public HttpClient CreateHttpClient()
    {
        StartServer();
        return new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = BaseAddress };
    }

    // Where Kestrel really listens (port 0 asks the OS for a free one).
    public Uri BaseAddress
    {
        get
        {
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
            return new Uri(addresses.First());
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Storage:DataFolder", DataFolder);
        // Each host is a silo of its own: tests run side by side, so no two share a silo port.
        builder.UseSetting("Orleans:SiloPort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            TestServices?.Invoke(services);
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsDataFolder)
        {
            DeleteDataFolder(DataFolder);
        }
    }

    public static void DeleteDataFolder(string folder)
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
