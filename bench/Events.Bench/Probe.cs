using System.Globalization;

// Loaded into both servers through DOTNET_STARTUP_HOOKS (bench/run.sh sets it), so that the
// managed heap can be read from outside the same way for the product and the bare hub, without a
// diagnostics endpoint in the product. When the file named by EVENTS_BENCH_PROBE + ".ask" appears,
// it collects fully and writes the live managed bytes to EVENTS_BENCH_PROBE + ".heap".
// Only base-library types here: this assembly runs inside the servers.
public static class StartupHook
{
    public static void Initialize()
    {
        if (Environment.GetEnvironmentVariable("EVENTS_BENCH_PROBE") is not { Length: > 0 } prefix)
        {
            return;
        }

        var thread = new Thread(() =>
        {
            while (true)
            {
                Thread.Sleep(100);
                if (File.Exists(prefix + ".ask"))
                {
                    File.Delete(prefix + ".ask");
                    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                    GC.WaitForPendingFinalizers();
                    var bytes = GC.GetTotalMemory(forceFullCollection: true);
                    File.WriteAllText(prefix + ".tmp", bytes.ToString(CultureInfo.InvariantCulture));
                    File.Move(prefix + ".tmp", prefix + ".heap", overwrite: true);
                }
            }
        })
        {
            IsBackground = true,
            Name = "events-bench-probe",
        };
        thread.Start();
    }
}
