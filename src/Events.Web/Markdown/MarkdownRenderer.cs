using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using Microsoft.AspNetCore.Components;

namespace Events.Web.Markdown;

// Markdown written by organisers, presenters and attendees. Raw HTML is never passed through (it
// shows as text), and links may only point to http(s), mailto or this site.
public sealed class MarkdownRenderer
{
    private static readonly string[] SafeSchemes = ["http", "https", "mailto"];

    private readonly MarkdownPipeline _pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UseAutoLinks()
        .UseEmphasisExtras()
        .UsePipeTables()
        .UseListExtras()
        .Build();

    public MarkupString Render(string? markdown)
    {
        if (string.IsNullOrWhiteSpace(markdown))
        {
            return new MarkupString("");
        }

        var document = Markdig.Markdown.Parse(markdown, _pipeline);
        foreach (var link in document.Descendants<LinkInline>())
        {
            if (!IsSafe(link.Url))
            {
                link.Url = "#";
            }

            if (link.IsImage)
            {
                // Images cost bandwidth our readers do not have; show the alt text as a link instead.
                link.IsImage = false;
            }
        }

        foreach (var link in document.Descendants<AutolinkInline>())
        {
            if (!IsSafe(link.Url))
            {
                link.Url = "#";
            }
        }

        return new MarkupString(document.ToHtml(_pipeline));
    }

    private static bool IsSafe(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return true;
        }

        // Browsers ignore control characters and spaces inside a scheme ("java\tscript:"), so we do too.
        var compact = string.Concat(url.Where(c => c > ' '));
        // "//host", "/\host" and "\\host" all leave this site under the page's scheme.
        if (compact.Length >= 2 && compact[0] is '/' or '\\' && compact[1] is '/' or '\\')
        {
            return false;
        }

        var colon = compact.IndexOf(':', StringComparison.Ordinal);
        var pathStart = compact.IndexOfAny(['/', '?', '#']);
        if (colon < 0 || (pathStart >= 0 && pathStart < colon))
        {
            // No scheme: a link within this site.
            return true;
        }

        return SafeSchemes.Contains(compact[..colon], StringComparer.OrdinalIgnoreCase);
    }
}
