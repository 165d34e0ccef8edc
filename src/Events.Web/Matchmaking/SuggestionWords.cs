using Events.Grains.Matchmaking;
using Events.Web.Localization;

namespace Events.Web.Matchmaking;

// A suggestion's reasons in the viewer's language: "Kisumu offers “Parking data platform” for your
// need “Mobility data”."
public static class SuggestionWords
{
    public static string Say(string language, SuggestionReason reason) => reason.Kind == ReasonKind.ComplementaryTypes
        ? Text.Format(language, "match.reason.ComplementaryTypes", reason.Who,
            Text.Get(language, $"OrgType.{reason.Their}"), Text.Get(language, $"OrgType.{reason.Mine}"))
        : Text.Format(language, $"match.reason.{reason.Kind}", reason.Who, reason.Their, reason.Mine);
}
