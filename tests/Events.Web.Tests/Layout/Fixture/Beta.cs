namespace Events.Web.Tests.Layout.Fixture.Beta;

// Uses Alpha only as a generic method's type argument, as a Razor component names its children.
public static class Names
{
    public static string Of(int count) => count > 100 ? Activator.CreateInstance<Alpha.Sample>().ToString()! : new string('n', count);
}
