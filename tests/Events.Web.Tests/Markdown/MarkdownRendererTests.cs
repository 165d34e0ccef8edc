using Events.Web.Markdown;

namespace Events.Web.Tests.Markdown;

public sealed class MarkdownRendererTests
{
    private readonly MarkdownRenderer _renderer = new();

    [Theory]
    [InlineData("[x](javascript:alert(1))")]
    [InlineData("[x](JAVASCRIPT:alert(1))")]
    [InlineData("[x](data:text/html,hi)")]
    [InlineData("[x](//evil.example/path)")]
    [InlineData("<javascript:alert(1)>")]
    [InlineData("[x](/\\evil.example/path)")]
    [InlineData("[x](java%09script:alert(1))")]
    public void Links_that_could_run_script_or_leave_quietly_become_inert(string markdown)
    {
        var html = _renderer.Render(markdown).Value;

        Assert.DoesNotContain("javascript:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("data:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("evil", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("script:", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Ordinary_links_emphasis_and_lists_render()
    {
        var html = _renderer.Render("**Bizerte** pilots *city cleanliness*:\n\n- [report](https://example.org/r)\n- [agenda](/events/demo#s3)").Value;

        Assert.Contains("<strong>Bizerte</strong>", html);
        Assert.Contains("<em>city cleanliness</em>", html);
        Assert.Contains("<a href=\"https://example.org/r\">report</a>", html);
        Assert.Contains("<a href=\"/events/demo#s3\">agenda</a>", html);
    }

    [Fact]
    public void Images_become_links_so_a_2g_reader_chooses_whether_to_download_them()
    {
        var html = _renderer.Render("![site map](https://example.org/map.png)").Value;

        Assert.DoesNotContain("<img", html);
        Assert.Contains("<a href=\"https://example.org/map.png\">site map</a>", html);
    }

    [Fact]
    public void Raw_html_is_shown_as_text()
    {
        var html = _renderer.Render("<iframe src=\"https://example.org\"></iframe>").Value;

        Assert.DoesNotContain("<iframe", html);
        Assert.Contains("&lt;iframe", html);
    }

    [Fact]
    public void Questions_get_emphasis_and_safe_links_but_no_blocks()
    {
        var html = _renderer.RenderInline("# Big\n- item with *emphasis* and [a link](https://example.org) and [bad](javascript:alert(1))").Value;

        Assert.DoesNotContain("<h1", html);
        Assert.DoesNotContain("<li", html);
        Assert.Contains("# Big", html);
        Assert.Contains("<em>emphasis</em>", html);
        Assert.Contains("<a href=\"https://example.org\">a link</a>", html);
        Assert.DoesNotContain("javascript:", html);
    }
}
