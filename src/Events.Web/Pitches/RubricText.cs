using Events.Grains.Pitches;
using Events.Web.Localization;

namespace Events.Web.Pitches;

// The rubric an event starts with is the product's own text (in English, in the grain's initial
// state): shown in the reader's language while it is unchanged. Criteria an organiser wrote are
// their words and are shown as written.
public static class RubricText
{
    public static Criterion Localized(this Criterion criterion, string language) =>
        RubricState.Initial.Criteria.Contains(criterion)
            ? criterion with
            {
                Name = Text.Get(language, $"rubric.default.{criterion.Id}.name"),
                Description = Text.Get(language, $"rubric.default.{criterion.Id}.description"),
            }
            : criterion;
}
