using System.Text.Json;
using Microsoft.AspNetCore.Hosting;

namespace Events.Web.Shared;

// Maps an asset's path to its fingerprinted URL (served with "immutable" caching), read from the
// endpoint manifest the build writes beside the application, the same one MapStaticAssets serves.
public sealed class StaticAssetPaths(IWebHostEnvironment environment)
{
    private readonly Lazy<IReadOnlyDictionary<string, string>> _fingerprinted = new(() => Load(environment.ApplicationName));

    public string this[string path] => "/" + (_fingerprinted.Value.TryGetValue(path, out var route) ? route : path);

    private static Dictionary<string, string> Load(string applicationName)
    {
        var manifest = Path.Combine(AppContext.BaseDirectory, $"{applicationName}.staticwebassets.endpoints.json");
        var routes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(manifest))
        {
            return routes;
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(manifest));
        foreach (var endpoint in document.RootElement.GetProperty("Endpoints").EnumerateArray())
        {
            if (endpoint.GetProperty("Selectors").GetArrayLength() > 0)
            {
                continue;
            }

            foreach (var property in endpoint.GetProperty("EndpointProperties").EnumerateArray())
            {
                if (property.GetProperty("Name").GetString() == "label")
                {
                    routes[property.GetProperty("Value").GetString()!] = endpoint.GetProperty("Route").GetString()!;
                }
            }
        }

        return routes;
    }
}
