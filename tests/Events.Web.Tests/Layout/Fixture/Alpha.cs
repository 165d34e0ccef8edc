namespace Events.Web.Tests.Layout.Fixture.Alpha;

// Uses Beta only inside a lambda's body (a compiler-generated nested type), nowhere in a signature.
public static class Greeting
{
    public static Func<string> Later() => () => Beta.Names.Of(3);
}

public sealed class Sample;
