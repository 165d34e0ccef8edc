namespace Events.Grains.Tests;

public sealed class GrainKeysTests
{
    // The strings are what existing databases hold: journals, snapshots and Orleans rows are found by them.
    [Fact]
    public void Keys_format_as_the_strings_existing_databases_store()
    {
        Assert.Equal("city-pilots-pitch-day/s4", new SessionKey("city-pilots-pitch-day", "s4").ToString());
        Assert.Equal("city-pilots-pitch-day/3f9a", new PersonKey("city-pilots-pitch-day", "3f9a").ToString());
        Assert.Equal("city-pilots-pitch-day/amina@accra.example.org", new ProfileKey("city-pilots-pitch-day", "amina@accra.example.org").ToString());
    }

    [Fact]
    public void A_key_is_split_at_its_first_slash_so_an_address_holding_one_comes_back_whole()
    {
        var key = new ProfileKey("accra-day", "a/b@accra.example.org");

        Assert.Equal(key, ProfileKey.Parse(key.ToString()));
        Assert.Equal("accra-day", EventKeys.SlugOf(key.ToString()));
        Assert.Equal("accra-day", EventKeys.SlugOf("accra-day"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("accra-day")]
    [InlineData("/s4")]
    [InlineData("accra-day/")]
    public void A_malformed_key_is_refused_and_the_message_says_what_was_expected(string malformed)
    {
        Assert.False(SessionKey.TryParse(malformed, out _));
        var refused = Assert.Throws<FormatException>(() => SessionKey.Parse(malformed));
        Assert.Contains("{slug}/{session}", refused.Message, StringComparison.Ordinal);
    }
}
