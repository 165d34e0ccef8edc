using System.Text.Json;

namespace Events.Silo;

public static class StaticAssetsCheck
{
    // A build folder (dotnet run -c Release, or bin/ copied somewhere) has no wwwroot of its own: its
    // assets are listed in the runtime manifest beside the application, pointing at the sources.
    // ASP.NET reads that manifest only in Development; read it in every environment. A published
    // folder has no such manifest and carries its assets in wwwroot, so this changes nothing there.
    public static void ServeStaticAssetsFromTheBuild(this WebApplicationBuilder builder)
    {
        if (!builder.Environment.IsDevelopment())
        {
            builder.WebHost.UseStaticWebAssets();
        }
    }

    // Without their files, the asset endpoints answer 200 with an empty body: pages lose their
    // style and live script without a word. Refuse to start instead.
    public static void EnsureStaticAssetsAreServed(this WebApplication app)
    {
        var manifest = Path.Combine(AppContext.BaseDirectory, $"{app.Environment.ApplicationName}.staticwebassets.endpoints.json");
        if (!File.Exists(manifest))
        {
            throw new StaticAssetsMissingException($"The static asset manifest {manifest} is missing.");
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(manifest));
        var missing = document.RootElement.GetProperty("Endpoints").EnumerateArray()
            .Select(e => e.GetProperty("AssetFile").GetString()!)
            .Distinct(StringComparer.Ordinal)
            .Where(file => !app.Environment.WebRootFileProvider.GetFileInfo(file).Exists)
            .ToList();
        if (missing.Count > 0)
        {
            throw new StaticAssetsMissingException(
                $"{missing.Count} static assets (CSS, scripts) are not where this build expects them, {missing[0]} among them. "
                + "Run the published output (dotnet publish -c Release, then run Events.Silo from the publish folder), "
                + "or the build folder on the machine that built it, next to its sources.");
        }
    }
}

public sealed class StaticAssetsMissingException(string message) : Exception(message);
