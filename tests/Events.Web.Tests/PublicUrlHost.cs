[assembly: AssemblyFixture(typeof(Events.Web.Tests.PublicUrlHost))]

namespace Events.Web.Tests;

// The run's one server behind a public address (the whole server's setting), for the tests of the
// links it mails; none moves the clock, and each works on its own event or people.
public sealed class PublicUrlHost() : RunHost(new Dictionary<string, string> { ["Site:PublicUrl"] = Url })
{
    public const string Url = "https://events.example.net";
}
