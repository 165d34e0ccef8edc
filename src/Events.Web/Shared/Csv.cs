using System.Text;
using Microsoft.AspNetCore.Http;

namespace Events.Web.Shared;

// CSV exports for spreadsheets: RFC 4180 quoting, CRLF line ends, UTF-8.
public static class Csv
{
    // A leading = + - @ is neutralised so spreadsheets do not run the cell as a formula.
    public static string Cell(string value)
    {
        var safe = value.Length > 0 && "=+-@".Contains(value[0], StringComparison.Ordinal) ? "'" + value : value;
        return "\"" + safe.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    public static IResult File(StringBuilder csv, string fileName) =>
        TypedResults.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", fileName);
}
