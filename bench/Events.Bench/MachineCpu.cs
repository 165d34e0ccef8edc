using System.Diagnostics;
using System.Globalization;

namespace Events.Bench;

// CPU seconds used on the whole machine (/proc/stat), by this process (the load generator) and by
// PostgreSQL's processes (/proc/<pid>/stat of every "postgres"), to tell a saturated machine from a
// slow server.
public sealed record MachineCpu(double Busy, double Self, double Postgres)
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    public static MachineCpu Read() => new(BusySeconds(), Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, PostgresSeconds());

    public MachineCpu Since(MachineCpu before) => new(Busy - before.Busy, Self - before.Self, Postgres - before.Postgres);

    private static double BusySeconds()
    {
        // "cpu  user nice system idle iowait irq softirq steal ...": busy is all but idle and iowait.
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        return (fields.Take(8).Sum() - fields[3] - fields[4]) / TicksPerSecond;
    }

    private static double PostgresSeconds()
    {
        var total = 0.0;
        foreach (var folder in Directory.EnumerateDirectories("/proc").Where(f => Path.GetFileName(f).All(char.IsAsciiDigit)))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                var close = stat.LastIndexOf(')');
                if (close < 0 || !stat.AsSpan(0, close).EndsWith("(postgres", StringComparison.Ordinal))
                {
                    continue;
                }

                // After "pid (comm) ": state is field 3, utime 14 and stime 15.
                var rest = stat[(close + 2)..].Split(' ');
                total += (double.Parse(rest[11], CultureInfo.InvariantCulture) + double.Parse(rest[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A process that ended between the listing and the read.
            }
        }

        return total;
    }
}
