using System.Collections.Immutable;
using Events.Grains.Agenda;
using Events.Grains.People;
using Events.Grains.Pitches;

namespace Events.Grains.Catalog;

// A whole event to create at start-up: the agenda, its organiser, the teams' cards (each in the
// pitch room at that index among the plan's pitch-room sessions) and the catalogue listing.
[GenerateSerializer, Immutable]
public sealed record EventSeed(
    OpenEvent Event,
    ImmutableArray<ScheduleSession> Sessions,
    string OrganiserEmail,
    ImmutableArray<SeededPitch> Pitches,
    DateTimeOffset StartsAt);

[GenerateSerializer, Immutable]
public sealed record SeededPitch(int Room, PitchCardContent Card);

[GenerateSerializer]
public enum SeedOutcome
{
    Seeded,
    AlreadySeeded,
    // Stopped by the step limit before the end.
    Interrupted,
}

// Seeds one event (keyed by its slug). One activation in the cluster runs one call at a time, so
// silos started together on an empty database seed in turn: the second finds the work done. Each
// step is one committed grain call that first looks whether it already happened, so a process
// killed between any two steps leaves a database the next start completes, without duplicates.
public interface IEventSeedGrain : IGrainWithStringKey
{
    // stepLimit stops after that many steps, as a kill between two steps would (tests use it).
    Task<SeedOutcome> SeedAsync(EventSeed seed, int stepLimit = int.MaxValue);
}

[GrainType("event-seed")]
public sealed class EventSeedGrain : Grain, IEventSeedGrain
{
    private const string Actor = "seed";

    public async Task<SeedOutcome> SeedAsync(EventSeed seed, int stepLimit = int.MaxValue)
    {
        var slug = this.GetPrimaryKeyString();
        var catalog = GrainFactory.GetGrain<IEventCatalogGrain>(IEventCatalogGrain.CatalogKey);
        var listed = await catalog.ListAsync();
        if (listed.Any(e => e.Slug == slug))
        {
            return SeedOutcome.AlreadySeeded;
        }

        var agenda = GrainFactory.GetGrain<IAgendaGrain>(slug);
        var view = await agenda.GetAsync();

        var steps = 0;
        bool Stop() => ++steps > stepLimit;

        if (view is null)
        {
            if (Stop())
            {
                return SeedOutcome.Interrupted;
            }

            view = await agenda.OpenAsync(seed.Event);
        }

        // Sessions are told apart by title and kind: the plan never repeats one.
        foreach (var session in seed.Sessions)
        {
            if (view.Sessions.Any(s => s.Title == session.Title && s.Kind == session.Kind))
            {
                continue;
            }

            if (Stop())
            {
                return SeedOutcome.Interrupted;
            }

            await agenda.ScheduleSessionAsync(session);
            view = (await agenda.GetAsync())!;
        }

        var access = GrainFactory.GetGrain<IEventAccessGrain>(slug);
        var organiser = await access.GetMembershipAsync(EmailAddress.Normalize(seed.OrganiserEmail));
        if (organiser is null || !organiser.Roles.HasFlag(EventRole.Organiser))
        {
            if (Stop())
            {
                return SeedOutcome.Interrupted;
            }

            await access.GrantAsync(Actor, seed.OrganiserEmail, EventRole.Organiser, null);
        }

        var rooms = seed.Sessions.Where(s => s.Kind == SessionKind.PitchRoom)
            .Select(planned => view.Sessions.First(s => s.Title == planned.Title && s.Kind == planned.Kind).Id)
            .ToList();
        var cards = GrainFactory.GetGrain<IPitchCardsGrain>(slug);
        foreach (var pitch in seed.Pitches)
        {
            var team = TeamKey.From(pitch.Card.TeamName);
            if (await cards.GetAsync(team) is null)
            {
                if (Stop())
                {
                    return SeedOutcome.Interrupted;
                }

                await cards.SaveAsync(Actor, team, pitch.Card);
            }

            var room = GrainFactory.GetGrain<IPitchRoomGrain>(new SessionKey(slug, rooms[pitch.Room]).ToString());
            if ((await room.GetAsync()).Pitches.All(p => p.Team != team))
            {
                if (Stop())
                {
                    return SeedOutcome.Interrupted;
                }

                await room.AddPitchAsync(Actor, team);
            }
        }

        if (Stop())
        {
            return SeedOutcome.Interrupted;
        }

        await catalog.AddAsync(new EventListing(slug, seed.Event.Title, seed.StartsAt));
        return SeedOutcome.Seeded;
    }
}
