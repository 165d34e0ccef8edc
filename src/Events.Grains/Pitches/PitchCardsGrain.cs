using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Audit;
using Events.Grains.Journal;

namespace Events.Grains.Pitches;

// What a city team tells investors. ContactDetails (mail, phone) are shown only to the team,
// organisers and investors whose follow-up the team accepted; the contact's name is public.
[GenerateSerializer, Immutable]
public sealed record PitchCardContent(
    string TeamName,
    string Challenge,
    string Solution,
    string Evidence,
    string BudgetAsk,
    string PartnersSought,
    string? SlidesUrl,
    string? VideoUrl,
    string ContactName,
    string ContactDetails);

[GenerateSerializer, Immutable]
public sealed record PitchCardVersion(int Number, PitchCardContent Content, string EditedBy, DateTimeOffset EditedAt);

[GenerateSerializer, Immutable]
public sealed record PitchCard(string Team, ImmutableList<PitchCardVersion> Versions)
{
    public PitchCardVersion Current => Versions[^1];
}

// Every city team's pitch card in one event (keyed by the event's slug), with every version kept.
public interface IPitchCardsGrain : IGrainWithStringKey
{
    Task<IReadOnlyList<PitchCard>> ListAsync();

    Task<PitchCard?> GetAsync(string team);

    // Saves a new version of the team's card; returns its number.
    Task<int> SaveAsync(string actor, string team, PitchCardContent content);
}

[JsonPolymorphic]
[JsonDerivedType(typeof(PitchCardSaved), "pitch-card-saved")]
[GenerateSerializer, Immutable]
public abstract record PitchCardsEvent;

[GenerateSerializer, Immutable]
public sealed record PitchCardSaved(string Actor, string Team, PitchCardContent Content, DateTimeOffset At) : PitchCardsEvent, IAuditedEvent
{
    public AuditAction Audit() => AuditAction.Of("pitch-card-saved", Content.TeamName);
}

[GenerateSerializer, Immutable]
public sealed record PitchCardsState(ImmutableSortedDictionary<string, PitchCard> Cards) : IJournaledState<PitchCardsState, PitchCardsEvent>
{
    public static PitchCardsState Initial { get; } = new(ImmutableSortedDictionary<string, PitchCard>.Empty);

    public PitchCardsState Apply(PitchCardsEvent @event) => @event switch
    {
        PitchCardSaved saved => this with
        {
            Cards = Cards.SetItem(saved.Team, Cards.TryGetValue(saved.Team, out var card)
                ? card with { Versions = card.Versions.Add(new PitchCardVersion(card.Versions.Count + 1, saved.Content, saved.Actor, saved.At)) }
                : new PitchCard(saved.Team, [new PitchCardVersion(1, saved.Content, saved.Actor, saved.At)])),
        },
        _ => this,
    };
}

[GrainType("pitch-cards")]
public sealed class PitchCardsGrain(TimeProvider clock) : JournalGrain<PitchCardsState, PitchCardsEvent>, IPitchCardsGrain
{
    public const int MaxSectionLength = 4_000;
    public const int MaxNameLength = 100;
    public const int MaxContactLength = 300;

    public Task<IReadOnlyList<PitchCard>> ListAsync() => Task.FromResult<IReadOnlyList<PitchCard>>([.. State.Cards.Values]);

    public Task<PitchCard?> GetAsync(string team) => Task.FromResult(State.Cards.GetValueOrDefault(team));

    public Task<int> SaveAsync(string actor, string team, PitchCardContent content)
    {
        var teamName = Input.Required(content.TeamName, MaxNameLength, Problem.TeamRequired, Problem.TeamTooLong);
        if (TeamKey.From(teamName) != team || team.Length == 0)
        {
            throw new ValidationFailedException(Problem.TeamRequired);
        }

        var clean = new PitchCardContent(
            teamName,
            Section(content.Challenge),
            Section(content.Solution),
            Section(content.Evidence),
            Section(content.BudgetAsk),
            Section(content.PartnersSought),
            Input.Link(content.SlidesUrl),
            Input.Link(content.VideoUrl),
            Input.Required(content.ContactName, MaxNameLength, Problem.ContactRequired, Problem.DisplayNameTooLong),
            Input.Required(content.ContactDetails, MaxContactLength, Problem.ContactRequired, Problem.ContactTooLong));
        if (State.Cards.TryGetValue(team, out var card) && card.Current.Content == clean)
        {
            return Task.FromResult(card.Current.Number);
        }

        RaiseEvent(new PitchCardSaved(actor, team, clean, clock.GetUtcNow()));
        return Task.FromResult(State.Cards[team].Current.Number);
    }

    private static string Section(string? markdown) => Input.Optional(markdown, MaxSectionLength, Problem.SectionTooLong);
}
