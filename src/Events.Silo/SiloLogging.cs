namespace Events.Silo;

public static class SiloLogging
{
    // Outside Development the console gets warnings and errors only: four Information lines per
    // request cost ~15% of the CPU under a vote storm. Start and stop lines stay ("Now listening
    // on", "Application is shutting down"). ASP.NET's "Authorization failed" (an anonymous viewer
    // asked "may this person moderate?") is Information, so it is left out too. Anything under Logging:LogLevel in configuration wins.
    public static void UseQuietProductionLogging(this WebApplicationBuilder builder)
    {
        // Polly logs every Orleans grain placement at Information.
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        if (builder.Environment.IsDevelopment() || builder.Configuration.GetSection("Logging:LogLevel").GetChildren().Any())
        {
            return;
        }

        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
    }
}
