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

    // The small subset questions allow: emphasis and safe links in paragraphs; no headings, lists,
    // quotes, code blocks or rules (their markers stay as typed).
    private readonly MarkdownPipeline _inlinePipeline = InlineOnly();

    public MarkupString RenderInline(string? markdown)
    {
        if (string.IsNullOrWhiteSpace(markdown))
        {
            return new MarkupString("");
        }

        var document = Markdig.Markdown.Parse(markdown, _inlinePipeline);
        Neutralise(document);
        var html = document.ToHtml(_inlinePipeline).Trim();
        return new MarkupString(html.StartsWith("<p>", StringComparison.Ordinal) && html.EndsWith("</p>", StringComparison.Ordinal) && html.IndexOf("<p>", 3, StringComparison.Ordinal) < 0
            ? html[3..^4]
            : html);
    }

    private static MarkdownPipeline InlineOnly()
    {
        var builder = new MarkdownPipelineBuilder().DisableHtml().UseAutoLinks();
        builder.BlockParsers.TryRemove<Markdig.Parsers.HeadingBlockParser>();
        builder.BlockParsers.TryRemove<Markdig.Parsers.ListBlockParser>();
        builder.BlockParsers.TryRemove<Markdig.Parsers.QuoteBlockParser>();
        builder.BlockParsers.TryRemove<Markdig.Parsers.FencedCodeBlockParser>();
        builder.BlockParsers.TryRemove<Markdig.Parsers.IndentedCodeBlockParser>();
        builder.BlockParsers.TryRemove<Markdig.Parsers.ThematicBreakParser>();
        return builder.Build();
    }

    public MarkupString Render(string? markdown)
    {
        if (string.IsNullOrWhiteSpace(markdown))
        {
            return new MarkupString("");
        }

        var document = Markdig.Markdown.Parse(markdown, _pipeline);
        Neutralise(document);
        return new MarkupString(document.ToHtml(_pipeline));
    }

    private static void Neutralise(MarkdownDocument document)
    {
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
