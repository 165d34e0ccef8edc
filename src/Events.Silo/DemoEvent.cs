using Events.Grains.Agenda;
using Events.Grains.Catalog;
using Events.Grains.People;
using Events.Grains.Pitches;
using Orleans;

namespace Events.Silo;

// The event a new installation shows, so that the first `dotnet run` has something real to look
// at. The cities and themes come from the ASToN network (see shared/context); the people are invented.
public sealed class DemoEvent(IGrainFactory grains, ILogger<DemoEvent> logger)
{
    public const string Slug = "city-pilots-pitch-day";
    public const string TimeZoneId = "Africa/Lagos";
    public const string OrganiserEmail = "organiser@example.org";

    private static readonly DateOnly Day = new(2026, 12, 3);

    // Start-up seeding. On a busy machine a seed call can outlast Orleans' response timeout: the
    // caller is told TimeoutException while the grain goes on with the call. Every step is
    // idempotent and the seed grain runs one call at a time, so asking again waits for the running
    // seed and finishes whatever it left; start-up goes on only once the grain says the event is
    // whole, never with half an event and never by stopping the silo.
    public async Task SeedIfEmptyAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await SeedIfEmptyOnceAsync().WaitAsync(cancellationToken);
                return;
            }
            catch (TimeoutException ex)
            {
                logger.LogWarning(
                    "Seeding the demo event did not answer in time (attempt {Attempt}: {Reason}); asking again",
                    attempt,
                    ex.Message);
            }
        }
    }

    private async Task SeedIfEmptyOnceAsync()
    {
        // An installation that lists events and never started the demo is in real use: no demo.
        var listed = await grains.GetGrain<IEventCatalogGrain>(IEventCatalogGrain.CatalogKey).ListAsync();
        if (listed.Count > 0 && listed.All(e => e.Slug != Slug) && await grains.GetGrain<IAgendaGrain>(Slug).GetAsync() is null)
        {
            return;
        }

        await SeedAsync(Slug);
    }

    // Another slug and a step limit let tests seed copies side by side and stop one half-way.
    public async Task<SeedOutcome> SeedAsync(string slug, int stepLimit = int.MaxValue)
    {
        var seed = new EventSeed(
            new OpenEvent(
                "City Pilots Pitch Day",
                """
                Municipal digital teams from African cities pitch the pilots they built (mobility, e-tax, land management, city cleanliness) to investors and peer cities, and leave with **honest feedback** and follow-up contacts.

                Built for the connection you have: every page works on a 2G phone, and nothing you type is lost if the link drops. Sessions in English, with French and Portuguese speakers welcome.
                """,
                TimeZoneId),
            [.. Sessions()],
            OrganiserEmail,
            [.. PitchCards().Select(p => new SeededPitch(p.Room, p.Card))],
            At(9, 0));
        var outcome = await grains.GetGrain<IEventSeedGrain>(slug).SeedAsync(seed, stepLimit);
        if (outcome == SeedOutcome.Seeded)
        {
            logger.LogInformation(
                "Seeded the demo event at /events/{Slug}. Its organiser is {Organiser}: sign in with that address (in Development, the mail is at /dev/outbox).",
                slug,
                OrganiserEmail);
        }
        else if (outcome == SeedOutcome.AlreadySeeded)
        {
            logger.LogInformation("The demo event {Slug} is seeded already", slug);
        }

        return outcome;
    }

    // The four cities' pitch cards, each team in its room (by its order among the pitch rooms). Contact details are invented.
    private static IEnumerable<(int Room, PitchCardContent Card)> PitchCards()
    {
        yield return (0, new PitchCardContent(
            "Kampala",
            "Boda-boda riders and minibus passengers move a million people a day on routes that exist on no map.",
            "An open map of informal routes, drawn with the drivers' associations and updated from their phones.",
            "Six months of pilot: 214 routes mapped, 3,100 weekly users, fares published for the first time.",
            "USD 180,000 to cover the whole city and hand the data to the transport authority.",
            "A mobile operator for data costs, and a university to keep the map honest.",
            null,
            null,
            "Joseph Okello",
            "joseph.okello@kampala.example.org"));
        yield return (0, new PitchCardContent(
            "Bizerte",
            "Waste collection is planned on paper, and neighbourhoods only learn a truck is not coming when the bins overflow.",
            "Truck drivers report each round from a basic phone; residents see the next collection by SMS.",
            "Two districts, eight trucks, missed collections down by a third in four months.",
            "EUR 90,000 for the other six districts and a year of SMS.",
            "An SMS provider and a recycling company for the sorted waste.",
            null,
            null,
            "Leila Ben Salah",
            "leila.bensalah@bizerte.example.org"));
        yield return (1, new PitchCardContent(
            "Kumasi",
            "Market traders pay daily tolls in cash; a third never reaches the city's account.",
            "E-tax by mobile money, with a receipt on the trader's phone and a ledger the council can audit.",
            "Kejetia market pilot: 2,400 traders, collections up 41%.",
            "USD 250,000 to roll out to the city's twelve markets.",
            "A mobile money operator and a bank for the settlement account.",
            null,
            null,
            "Kwame Mensah",
            "kwame.mensah@kumasi.example.org"));
        yield return (1, new PitchCardContent(
            "Sèmè-Podji",
            "Without street addresses, land titles, deliveries and emergency services all get lost.",
            "*Adressage numérique*: a digital address for every plot, linked to the land register.",
            "One arrondissement addressed; land disputes at the town hall halved.",
            "XOF 95 million for the remaining arrondissements.",
            "A geodata company and the national land agency.",
            "https://example.org/slides",
            null,
            "Rodrigue Hounkpatin",
            "rodrigue.hounkpatin@semepodji.example.org"));
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
