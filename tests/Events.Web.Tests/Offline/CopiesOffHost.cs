[assembly: AssemblyFixture(typeof(Events.Web.Tests.Offline.CopiesOffHost))]

namespace Events.Web.Tests.Offline;

// The run's one server with offline copies switched off (the whole server's setting), for the few
// tests of what a browser gets then. They only read.
public sealed class CopiesOffHost() : RunHost(new Dictionary<string, string> { ["Offline:Copies"] = "false" })
{
    // The run's server with copies on (the default), or this one; started.
    public static async Task<EventsHost> EitherAsync(RunHost on, CopiesOffHost off, bool copies)
    {
        RunHost host = copies ? on : off;
        await host.StartedAsync();
        return host.Host;
    }
}
