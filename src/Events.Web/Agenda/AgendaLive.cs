using Events.Grains.Agenda;
using Events.Grains.Journal;
using Orleans;
using Events.Web.Live;

namespace Events.Web.Agenda;

// "agenda:{slug}": session changes (delayed, moved, cancelled, started, ended) as compact deltas.
// Pages refetch their agenda region on a delta; calendar feeds and the change log read the same journal.
public sealed class AgendaTopic : ILiveTopic
{
    public const string Kind = "session";

    public const string Name = "agenda";

    public string Prefix => Name;

    public string GrainType => AgendaGrain.TypeName;

    public static string Of(string slug) => LiveTopics.Name(Name, slug);

    public ValueTask<LiveDelta?> Project(string topic, GrainEvent grainEvent) => ValueTask.FromResult<LiveDelta?>(grainEvent.Event switch
    {
        SessionChanged changed => new LiveDelta(topic, grainEvent.Sequence, Kind, new
        {
            id = changed.SessionId,
            c = changed.Kind.ToString(),
            m = changed.Minutes,
            s = changed.Start.ToUnixTimeMilliseconds(),
        }),
        EventDetailsSet or EventCancelled or EventArchived => new LiveDelta(topic, grainEvent.Sequence, Kind, new { id = "", c = grainEvent.Event.GetType().Name, m = 0, s = 0L }),
        SessionScheduled scheduled => new LiveDelta(topic, grainEvent.Sequence, Kind, new { id = scheduled.Session.Id, c = "Scheduled", m = 0, s = scheduled.Session.Start.ToUnixTimeMilliseconds() }),
        _ => null,
    });
}
