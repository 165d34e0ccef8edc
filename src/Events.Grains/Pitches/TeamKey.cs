using System.Globalization;
using System.Text;

namespace Events.Grains.Pitches;

// A city team's name as it appears in addresses: "Sèmè-Podji" becomes "seme-podji".
public static class TeamKey
{
    public static string From(string teamName)
    {
        var key = new StringBuilder();
        foreach (var c in teamName.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            if (char.IsAsciiLetterOrDigit(c))
            {
                key.Append(char.ToLowerInvariant(c));
            }
            else if (key.Length > 0 && key[^1] != '-')
            {
                key.Append('-');
            }
        }

        return key.ToString().TrimEnd('-');
    }
}
