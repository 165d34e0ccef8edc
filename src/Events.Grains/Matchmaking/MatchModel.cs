using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;

namespace Events.Grains.Matchmaking;

[GenerateSerializer]
public enum OrgType
{
    City,
    Investor,
    SolutionProvider,
    University,
    Network,
}

// A need or an offer: a theme from the event's list, a short title and Markdown.
[GenerateSerializer, Immutable]
public sealed record NeedOffer(string Theme, string Title, string Text);

// What a person types; the grain cleans and validates it.
[GenerateSerializer, Immutable]
public sealed record ProfileDraft(
    string Name,
    string Organisation,
    OrgType Type,
    string City,
    string Country,
    ImmutableArray<string> Languages,
    string Intro,
    ImmutableArray<string> Themes,
    ImmutableArray<NeedOffer> Needs,
    ImmutableArray<NeedOffer> Offers);

// A profile as the event holds it. Email stays inside the grains that need it (the profile and
// the directory's private map); DirectoryEntry, which pages get, has none.
[GenerateSerializer, Immutable]
public sealed record MatchProfile(
    string PersonId,
    string Email,
    ProfileDraft Draft,
    bool Listed,
    bool Hidden,
    bool Verified,
    DateTimeOffset UpdatedAt)
{
    public bool VisibleToOthers => Listed && !Hidden;

    public DirectoryEntry Entry => new(PersonId, Draft, Hidden, Verified);
}

[GenerateSerializer, Immutable]
public sealed record DirectoryEntry(string PersonId, ProfileDraft Profile, bool Hidden, bool Verified);

[GenerateSerializer, Immutable]
public sealed record DirectoryQuery(OrgType? Type, string? Theme, string? Country, string? Language, bool OffersWhatINeed, int Page, int PageSize);

[GenerateSerializer, Immutable]
public sealed record DirectoryPage(ImmutableArray<DirectoryEntry> Entries, int Total, int Page, int PageSize)
{
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

public static class PersonIds
{
    // A stable, opaque id per person and event for addresses and topics: never the email address.
    // The event slug is mixed in so one person's ids in two events cannot be linked.
    public static string Of(string slug, string email) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"match:{slug}:{email}")))[..20];
}
