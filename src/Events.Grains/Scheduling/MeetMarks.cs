using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Journal;
using Events.Grains.Matchmaking;
using Orleans.Runtime;

namespace Events.Grains.Scheduling;

// "I'd like to meet" marks of one event (keyed by its slug), by person id, never by address. A pair
// who marked each other is a meeting the organisers' "Schedule all" places. A one-sided mark stays
// with the person who made it: nothing here tells anyone who marked them.
public interface IMeetMarksGrain : IGrainWithStringKey
{
    // Whom this person marked, and which of those marked them back.
    Task<MyMarks> MineAsync(string email);

    // Marks (or, with mark false, unmarks) a person. Both must be in the directory for others
    // (consenting, not hidden); Problem.ProfileMissing when the other is not, MarkNeedsProfile when
    // the one marking is not.
    Task<MyMarks> MarkAsync(string email, string personId, bool mark);

    // Every pair who marked each other, each once, the lower id first.
    Task<ImmutableArray<MarkedPair>> MutualAsync();
}

[GenerateSerializer, Immutable]
public sealed record MarkedPair(string A, string B);

[GenerateSerializer, Immutable]
public sealed record MyMarks(ImmutableHashSet<string> Marked, ImmutableHashSet<string> Mutual)
{
    public static MyMarks None { get; } = new([], []);
}

// The stored names below are part of the database format: add new ones, never rename.
[JsonPolymorphic]
[JsonDerivedType(typeof(MeetMarked), "meet-marked")]
[JsonDerivedType(typeof(MeetUnmarked), "meet-unmarked")]
[GenerateSerializer, Immutable]
public abstract record MeetMarkEvent;

[GenerateSerializer, Immutable]
public sealed record MeetMarked(string From, string To) : MeetMarkEvent;

[GenerateSerializer, Immutable]
public sealed record MeetUnmarked(string From, string To) : MeetMarkEvent;

[GenerateSerializer, Immutable]
public sealed record MeetMarksState(ImmutableDictionary<string, ImmutableHashSet<string>> ByPerson) : IJournaledState<MeetMarksState, MeetMarkEvent>
{
    public static MeetMarksState Initial { get; } = new(ImmutableDictionary<string, ImmutableHashSet<string>>.Empty);

    public ImmutableHashSet<string> Of(string personId) => ByPerson.GetValueOrDefault(personId) ?? [];

    public MeetMarksState Apply(MeetMarkEvent @event) => @event switch
    {
        MeetMarked marked => new(ByPerson.SetItem(marked.From, Of(marked.From).Add(marked.To))),
        MeetUnmarked unmarked => new(ByPerson.SetItem(unmarked.From, Of(unmarked.From).Remove(unmarked.To))),
        _ => this,
    };
}

// Small state and no history anyone reads: Orleans grain storage, as the person's last profile.
[GrainType("meet-marks")]
public sealed class MeetMarksGrain([PersistentState("meet-marks", GrainStore.Name)] IPersistentState<Folded<MeetMarksState, MeetMarkEvent>> state)
    : StateGrain<MeetMarksState, MeetMarkEvent>(state), IMeetMarksGrain
{
    public Task<MyMarks> MineAsync(string email) => Task.FromResult(Mine(PersonIds.Of(Key, email)));

    public async Task<MyMarks> MarkAsync(string email, string personId, bool mark)
    {
        var me = PersonIds.Of(Key, email);
        if (me == personId)
        {
            throw new ValidationFailedException(Problem.MeetingSelf);
        }

        var directory = GrainFactory.GetGrain<IDirectoryGrain>(Key);
        if (await directory.FindAsync(personId, organiser: false) is null)
        {
            throw new ValidationFailedException(Problem.ProfileMissing);
        }

        if (await directory.FindAsync(me, organiser: false) is null)
        {
            throw new ValidationFailedException(Problem.MarkNeedsProfile);
        }

        var marked = State.Of(me).Contains(personId);
        if (mark && !marked)
        {
            RaiseEvent(new MeetMarked(me, personId));
        }
        else if (!mark && marked)
        {
            RaiseEvent(new MeetUnmarked(me, personId));
        }

        return Mine(me);
    }

    public Task<ImmutableArray<MarkedPair>> MutualAsync() => Task.FromResult(State.ByPerson
        .SelectMany(p => p.Value.Where(other => string.CompareOrdinal(p.Key, other) < 0 && State.Of(other).Contains(p.Key)).Select(other => new MarkedPair(p.Key, other)))
        .OrderBy(p => p.A, StringComparer.Ordinal).ThenBy(p => p.B, StringComparer.Ordinal)
        .ToImmutableArray());

    private MyMarks Mine(string me)
    {
        var marked = State.Of(me);
        return new MyMarks(marked, [.. marked.Where(other => State.Of(other).Contains(me))]);
    }
}
