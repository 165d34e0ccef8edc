using Events.Grains.Agenda;
using Events.Grains.Catalog;
using Events.Grains.People;
using Events.Grains.Runtime;

namespace Events.Silo;

// The event a new installation shows, so that the first `dotnet run` has something real to look
// at. The cities and themes come from the ASToN network (see shared/context); the people are invented.
public sealed class DemoEvent(IGrainFactory grains, ILogger<DemoEvent> logger)
{
    public const string Slug = "city-pilots-pitch-day";
    public const string TimeZoneId = "Africa/Lagos";
    public const string OrganiserEmail = "organiser@example.org";

    private static readonly DateOnly Day = new(2026, 12, 3);

    public async Task SeedIfEmptyAsync()
    {
        var catalog = grains.GetGrain<IEventCatalogGrain>(IEventCatalogGrain.CatalogKey);
        if ((await catalog.ListAsync()).Count > 0)
        {
            return;
        }

        var agenda = grains.GetGrain<IAgendaGrain>(Slug);
        if (await agenda.GetAsync() is null)
        {
            await agenda.OpenAsync(new OpenEvent(
                "City Pilots Pitch Day",
                """
                Municipal digital teams from African cities pitch the pilots they built (mobility, e-tax, land management, city cleanliness) to investors and peer cities, and leave with **honest feedback** and follow-up contacts.

                Built for the connection you have: every page works on a 2G phone, and nothing you type is lost if the link drops. Sessions in English, with French and Portuguese speakers welcome.
                """,
                TimeZoneId));

            foreach (var session in Sessions())
            {
                await agenda.ScheduleSessionAsync(session);
            }
        }

        await grains.GetGrain<IEventAccessGrain>(Slug).GrantAsync("seed", OrganiserEmail, EventRole.Organiser, null);
        await catalog.AddAsync(new EventListing(Slug, "City Pilots Pitch Day", At(9, 0)));
        logger.LogInformation(
            "Seeded the demo event at /events/{Slug}. Its organiser is {Organiser}: sign in with that address (in Development, the mail is at /dev/outbox).",
            Slug,
            OrganiserEmail);
    }

    private static IEnumerable<ScheduleSession> Sessions()
    {
        yield return new ScheduleSession(
            "Welcome: what the cities built, and what comes after",
            SessionKind.Talk,
            At(9, 0),
            At(9, 20),
            """
            Eleven cities, three years, nine pilots. A short look back at the network and at the question this day is for: how does a pilot find the partner and the money to grow past its first street?
            """,
            [new Speaker("Amina Diallo", "Network coordination")]);

        yield return new ScheduleSession(
            "Global Mixer: four pilots in thirty minutes",
            SessionKind.GlobalMixer,
            At(9, 30),
            At(10, 0),
            """
            Short, fresh interventions, each kept on time by the moderator:

            1. **Kampala**: a mobility app for boda-boda and minibus routes (8 min)
            2. **Bizerte**: tracking city cleanliness with the truck drivers who collect the waste (7 min)
            3. **Kumasi**: e-tax for market traders, paid by mobile money (7 min)
            4. **Matola**: a land register that survives power cuts (8 min)

            Questions go to the board; the best ones are taken at the end.
            """,
            [new Speaker("Joseph Okello", "Kampala"), new Speaker("Leila Ben Salah", "Bizerte"), new Speaker("Kwame Mensah", "Kumasi"), new Speaker("Ana Machava", "Matola")]);

        yield return new ScheduleSession(
            "Pitch room A: mobility and city services",
            SessionKind.PitchRoom,
            At(10, 15),
            At(11, 15),
            """
            Kampala's mobility solution and Bizerte's city cleanliness pilot, in ten-minute pitches followed by investor questions.

            Investors score each pitch against the event's rubric: the challenge, the solution, *evidence from the pilot*, the budget ask and the partners sought. Scores stay private; the teams receive a summary and the comments.
            """,
            [new Speaker("Joseph Okello", "Kampala"), new Speaker("Leila Ben Salah", "Bizerte")]);

        yield return new ScheduleSession(
            "Pitch room B: revenue and land",
            SessionKind.PitchRoom,
            At(11, 30),
            At(12, 30),
            """
            Kumasi's e-tax pilot and Sèmè-Podji's digital addressing for land management (*adressage numérique*, pitched in French).

            Slides are shared as a [low-bandwidth PDF](https://example.org/slides) before the room opens.
            """,
            [new Speaker("Kwame Mensah", "Kumasi"), new Speaker("Rodrigue Hounkpatin", "Sèmè-Podji")]);

        yield return new ScheduleSession(
            "Closing panel: from pilot to partnership",
            SessionKind.Panel,
            At(12, 30),
            At(13, 0),
            """
            City leaders and investors on what turns a pilot into an agreement, and how the network keeps going after the event: follow-up meetings, shared code, peer visits.
            """,
            [new Speaker("Amina Diallo", "Network coordination"), new Speaker("Ana Machava", "Matola")]);
    }

    private static DateTimeOffset At(int hour, int minute)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(TimeZoneId);
        var local = Day.ToDateTime(new TimeOnly(hour, minute));
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }
}
