using System.Text.Json.Serialization;
using Events.Grains.Journal;

namespace Events.Grains.Matchmaking;

// A person's doorbell for meetings in one event, keyed "{slug}/{person id}": the live topic
// "meetings:{slug}/{person id}" follows its journal, which holds only "something changed" and
// never what (the page refetches its own view), so no private detail is ever pushed.
public interface IMeetingInboxGrain : IGrainWithStringKey
{
    Task NoteAsync();

    // The sequence a page shows, so the live layer sends only what came after.
    Task<long> VersionAsync();
}

[JsonPolymorphic]
[JsonDerivedType(typeof(InboxNoted), "inbox-noted")]
[GenerateSerializer, Immutable]
public abstract record InboxEvent;

[GenerateSerializer, Immutable]
public sealed record InboxNoted : InboxEvent;

[GenerateSerializer, Immutable]
public sealed record InboxState(long Notices) : IJournaledState<InboxState, InboxEvent>
{
    public static InboxState Initial { get; } = new(0);

    public InboxState Apply(InboxEvent @event) => new(Notices + 1);
}

public static class MeetingInbox
{
    public const string GrainType = "meeting-inbox";

    public static string Key(string slug, string email) => new PersonKey(slug, PersonIds.Of(slug, email)).ToString();
}

[GrainType(MeetingInbox.GrainType)]
public sealed class MeetingInboxGrain : JournalGrain<InboxState, InboxEvent>, IMeetingInboxGrain
{
    public Task NoteAsync()
    {
        RaiseEvent(new InboxNoted());
        return Task.CompletedTask;
    }

    public Task<long> VersionAsync() => Task.FromResult(Version);
}
