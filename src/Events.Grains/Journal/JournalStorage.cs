namespace Events.Grains.Journal;

public static class JournalStorage
{
    // The name journaled grains ask Orleans for ([LogConsistencyProvider]).
    public const string ProviderName = "Journal";
}
