using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

// Loaded into both servers through DOTNET_STARTUP_HOOKS (bench/run.sh sets it), so that the
// managed heap and the cost counters can be read from outside the same way for the product and the
// bare hub, without a diagnostics endpoint in the product. When the file named by
// EVENTS_BENCH_PROBE + ".ask" appears, it collects fully and writes the live managed bytes to
// EVENTS_BENCH_PROBE + ".heap"; for ".count-ask" it writes ".count": bytes allocated so far,
// collections per generation, GC pauses (their total, and the longest since the last count), and the totals of every counter of the product's "Events.*" meters
// (the journal's writes, events, statements, round trips, snapshots), one "name value" a line.
// Only base-library types here: this assembly runs inside the servers.
public static class StartupHook
{
    private static readonly ConcurrentDictionary<string, long> Totals = new(StringComparer.Ordinal);

    // For histograms (the journal's write durations) and GC pauses (seen up to 50 ms late): the longest value in each quarter second of
    // wall-clock time, written as "name.max@<unix ms / 250> value", so the bench can set a slow
    // second of acknowledgements beside the writes of the same moment.
    private static readonly ConcurrentDictionary<string, long> Longest = new(StringComparer.Ordinal);

    public static void Initialize()
    {
        if (Environment.GetEnvironmentVariable("EVENTS_BENCH_PROBE") is not { Length: > 0 } prefix)
        {
            return;
        }

        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name.StartsWith("Events.", StringComparison.Ordinal))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.GetType().Name.StartsWith("Histogram", StringComparison.Ordinal))
            {
                RecordLongest(instrument.Name, value);
            }
            else
            {
                Totals.AddOrUpdate(instrument.Name, value, (_, total) => total + value);
            }
        });
        listener.Start();

        var thread = new Thread(() =>
        {
            // The longest GC pause since the last count: the last collection's pause is read every
            // 50 ms, which sees every collection that is at least that far apart from the next.
            var lastGc = 0L;
            var longestPause = TimeSpan.Zero;
            while (true)
            {
                Thread.Sleep(50);
                var gc = GC.GetGCMemoryInfo(GCKind.Any);
                if (gc.Index != lastGc)
                {
                    lastGc = gc.Index;
                    foreach (var pause in gc.PauseDurations)
                    {
                        longestPause = pause > longestPause ? pause : longestPause;
                        RecordLongest("gc_pause_us", (long)pause.TotalMicroseconds);
                        if (pause >= TimeSpan.FromMilliseconds(20))
                        {
                            // A long pause by itself, with what kind of collection it was.
                            Longest[$"gc_long.gen{gc.Generation}.{(gc.Concurrent ? "background" : "blocking")}{(gc.Compacted ? ".compacting" : "")}.promoted-{gc.PromotedBytes / 1024}KB.heap-{gc.HeapSizeBytes / (1024 * 1024)}MB@{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}"] = (long)pause.TotalMicroseconds;
                        }
                    }
                }

                if (File.Exists(prefix + ".ask"))
                {
                    File.Delete(prefix + ".ask");
                    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                    GC.WaitForPendingFinalizers();
                    Answer(prefix + ".heap", GC.GetTotalMemory(forceFullCollection: true).ToString(CultureInfo.InvariantCulture));
                }

                if (File.Exists(prefix + ".count-ask"))
                {
                    File.Delete(prefix + ".count-ask");
                    var text = new StringBuilder()
                        .Append("allocated ").Append(GC.GetTotalAllocatedBytes(precise: false)).Append('\n')
                        .Append("gen0 ").Append(GC.CollectionCount(0)).Append('\n')
                        .Append("gen1 ").Append(GC.CollectionCount(1)).Append('\n')
                        .Append("gen2 ").Append(GC.CollectionCount(2)).Append('\n')
                        .Append("gc_pause_total_us ").Append((long)GC.GetTotalPauseDuration().TotalMicroseconds).Append('\n')
                        .Append("gc_pause_longest_us ").Append((long)longestPause.TotalMicroseconds).Append('\n');
                    longestPause = TimeSpan.Zero;
                    foreach (var (name, total) in Totals.Concat(Longest))
                    {
                        text.Append(name).Append(' ').Append(total).Append('\n');
                    }

                    Answer(prefix + ".count", text.ToString());
                }
            }
        })
        {
            IsBackground = true,
            Name = "events-bench-probe",
        };
        thread.Start();
    }

    private static void RecordLongest(string name, long value) =>
        Longest.AddOrUpdate(name + ".max@" + (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 250).ToString(CultureInfo.InvariantCulture), value, (_, longest) => Math.Max(longest, value));

    private static void Answer(string path, string text)
    {
        File.WriteAllText(path + ".tmp", text);
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
