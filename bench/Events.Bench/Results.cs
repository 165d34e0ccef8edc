using System.Globalization;

namespace Events.Bench;

// Rows in the order first measured; each side keeps every repeat. A cell shows the median and, with
// repeats, the range; the ratio is of the medians.
public sealed class Results
{
    private readonly List<string> _rows = [];
    private readonly Dictionary<(string Row, bool Product), List<(double Value, string? Text)>> _cells = [];

    public void Add(string row, double value, double? bareValue, bool isProduct = true, string? text = null)
    {
        if (!_rows.Contains(row))
        {
            _rows.Add(row);
        }

        Cell(row, isProduct).Add((value, text));
        if (bareValue is { } bare)
        {
            Cell(row, false).Add((bare, null));
        }
    }

    public void Print()
    {
        Console.WriteLine("| what | Events | bare hub | Events / bare |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var row in _rows)
        {
            var product = _cells.GetValueOrDefault((row, true)) ?? [];
            var bare = _cells.GetValueOrDefault((row, false)) ?? [];
            var ratio = product.Count > 0 && bare.Count > 0 && Median(bare) != 0 ? (Median(product) / Median(bare)).ToString("0.00", CultureInfo.InvariantCulture) + "×" : "";
            Console.WriteLine($"| {row} | {Show(product)} | {Show(bare)} | {ratio} |");
        }
    }

    private List<(double Value, string? Text)> Cell(string row, bool product)
    {
        if (!_cells.TryGetValue((row, product), out var cell))
        {
            _cells[(row, product)] = cell = [];
        }

        return cell;
    }

    private static double Median(List<(double Value, string? Text)> values)
    {
        var sorted = values.Select(v => v.Value).Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Show(List<(double Value, string? Text)> values)
    {
        if (values.Count == 0)
        {
            return "";
        }

        if (values.Any(v => v.Text is not null))
        {
            return string.Join(" / ", values.Select(v => v.Text ?? Number(v.Value)));
        }

        var median = Number(Median(values));
        return values.Count == 1 ? median : $"{median} ({Number(values.Min(v => v.Value))}–{Number(values.Max(v => v.Value))})";
    }

    private static string Number(double value) =>
        double.IsNaN(value) ? "–" : value.ToString(Math.Abs(value) >= 100 ? "N0" : "0.0", CultureInfo.InvariantCulture);
}
