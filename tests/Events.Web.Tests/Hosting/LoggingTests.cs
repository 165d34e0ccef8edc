using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Events.Web.Tests.Hosting;

public sealed class LoggingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task In_production_page_views_anonymous_or_refused_write_no_log_line()
    {
        var capture = new LogCapture();
        await using var host = new EventsHost(settings: new Dictionary<string, string> { ["environment"] = "Production" })
        {
            TestServices = services => services.AddSingleton<ILoggerProvider>(capture),
        };
        using var client = host.CreateHttpClient();
        using (var warmUp = await client.GetAsync("/events/city-pilots-pitch-day", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, warmUp.StatusCode);
        }

        var before = capture.Entries.Count;
        foreach (var path in new[] { "/events/city-pilots-pitch-day", "/events/city-pilots-pitch-day/qa/s2", "/events/city-pilots-pitch-day/people", "/no-such-page" })
        {
            using var response = await client.GetAsync(path, Ct);
            Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        }

        // Lines written after a response left would be missed without one more request after them.
        using (await client.GetAsync("/healthz", Ct))
        {
        }

        var lines = capture.Entries.Skip(before).Select(e => $"{e.Level} {e.Category}: {e.Message}").ToList();
        Assert.Empty(lines);
    }

    [Fact]
    public async Task In_production_an_operator_can_still_turn_request_logging_on()
    {
        var capture = new LogCapture();
        await using var host = new EventsHost(settings: new Dictionary<string, string>
        {
            ["environment"] = "Production",
            ["Logging:LogLevel:Default"] = "Information",
        })
        {
            TestServices = services => services.AddSingleton<ILoggerProvider>(capture),
        };
        using var client = host.CreateHttpClient();

        using var response = await client.GetAsync("/events/city-pilots-pitch-day", Ct);

        // "Request finished" is written after the response has left.
        await Eventually.UntilAsync(
            "a 'Request finished' line",
            () => capture.Entries.Any(e => e.Category == "Microsoft.AspNetCore.Hosting.Diagnostics" && e.Message.StartsWith("Request finished", StringComparison.Ordinal)));
    }
}
