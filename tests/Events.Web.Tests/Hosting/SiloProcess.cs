using System.Diagnostics;
using System.Text;

namespace Events.Web.Tests.Hosting;

// Events.Silo as its own operating-system process, started the way an operator starts it.
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SiloProcess(Process process)
    {
        _process = process;
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static SiloProcess Start(string dataFolder, params string[] command) =>
        Start(dataFolder, new Dictionary<string, string>(), command);

    // Settings may follow the command as --Key=value; environment variables are added to the process's own.
    public static SiloProcess Start(string dataFolder, IReadOnlyDictionary<string, string> environment, params string[] command)
    {
        // Through env, which restores Ctrl+C's default before it becomes dotnet (same pid): a test
        // run started in the background by a non-interactive shell (`.ci/run &`) ignores SIGINT, the
        // silo inherits that, .NET then leaves SIGINT ignored, and every Ctrl+C test hung.
        var start = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add("--default-signal=INT");
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Events.Silo.dll"));
        foreach (var word in command)
        {
            start.ArgumentList.Add(word);
        }

        start.ArgumentList.Add("--urls=http://127.0.0.1:0");
        start.ArgumentList.Add($"--Storage:DataFolder={dataFolder}");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var silo = new SiloProcess(new Process { StartInfo = start, EnableRaisingEvents = true });
        silo._process.OutputDataReceived += (_, e) => silo.Receive(e.Data);
        silo._process.ErrorDataReceived += (_, e) => silo.Receive(e.Data);
        silo._process.Start();
        silo._process.BeginOutputReadLine();
        silo._process.BeginErrorReadLine();
        return silo;
    }

    public async Task<Uri> WaitUntilListeningAsync(TimeSpan timeout) =>
        await _listening.Task.WaitAsync(timeout);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            // A shutdown that hangs is seen only under load: say where it stopped.
            var output = Output;
            throw new TimeoutException($"The silo had not exited {timeout} after it was told to (exited: {_process.HasExited}). Its last output:\n{output[Math.Max(0, output.Length - 4000)..]}");
        }

        return _process.ExitCode;
    }

    // What Ctrl+C sends.
    public void Interrupt()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    // What `kill -9` does: no shutdown code runs, nothing is flushed or unregistered.
    public void Kill()
    {
        using var kill = Process.Start("kill", ["-KILL", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        _process.WaitForExit();
    }

    private void Receive(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        const string marker = "Now listening on: ";
        var at = line.IndexOf(marker, StringComparison.Ordinal);
        if (at >= 0)
        {
            _listening.TrySetResult(new Uri(line[(at + marker.Length)..].Trim()));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
