using System.Text.RegularExpressions;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Components.Pages.ApiDocs;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.Tests.Components.ApiDocs;

// The tab writes its docs link, tips and code samples as their components rendered them once (TabStaticParts): the
// markup must be what the components render now, for the language and environment asked.
public sealed class TabStaticPartsTests : ApiDocsTestContext
{
    private const string Portal = "https://portal.example.test/";

    [Fact]
    public async Task The_docs_link_and_the_tips_are_what_their_components_render()
    {
        var parts = Services.GetRequiredService<TabStaticParts>();

        WithoutHandlers(Render<DocsLink>().Markup).MarkupMatches(WithoutHandlers((await parts.DocsLinkAsync(Services)).Value));
        WithoutHandlers(Render<Tips>().Markup).MarkupMatches(WithoutHandlers((await parts.TipsAsync(Services)).Value));
    }

    [Theory]
    [InlineData(0, KeyEnvironment.Test)]
    [InlineData(2, KeyEnvironment.Production)]
    public async Task The_code_samples_are_what_CodeSamples_renders_for_the_chosen_language_and_environment(int language, KeyEnvironment environment)
    {
        var parts = Services.GetRequiredService<TabStaticParts>();

        var cached = (await parts.CodeSamplesAsync(language, environment, Portal, Services)).Value;

        WithoutHandlers(Render<CodeSamples>(p => p
            .Add(c => c.Language, language)
            .Add(c => c.Environment, environment)
            .Add(c => c.PortalAddress, Portal)).Markup).MarkupMatches(WithoutHandlers(cached));
        // Another choice is another markup (the shown tab and environment), and the samples call this portal.
        Assert.NotEqual(cached, (await parts.CodeSamplesAsync(language + 1, environment, Portal, Services)).Value);
        Assert.Contains(Portal.TrimEnd('/'), cached, StringComparison.Ordinal);
        Assert.Contains(TestJourneyApi, cached, StringComparison.Ordinal);
    }

    // The event handlers a render tree holds are written differently: bUnit writes blazor:onclick="1",
    // blazor:onclick:stopPropagation and blazor:elementReference, a static render (HtmlRenderer, as a page GET)
    // __internal_stopPropagation_onclick. Neither does anything in a static page; everything else must be the same.
    private static string WithoutHandlers(string markup) =>
        Regex.Replace(markup, "\\s(?:blazor:[A-Za-z:]+|__internal_[A-Za-z_]+)(?:=\"[^\"]*\")?", "");
}
