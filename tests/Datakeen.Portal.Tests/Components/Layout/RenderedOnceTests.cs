using Datakeen.Portal.Components.Layout;
using MudBlazor;

namespace Datakeen.Portal.Tests.Components.Layout;

// The static layout writes the theme's styles rendered once per palette (ThemeStyles, RenderedOnce): they must be
// what MudThemeProvider itself renders for that palette, light and dark.
public sealed class ThemeStylesTests : PortalTestContext
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_cached_theme_styles_are_what_MudThemeProvider_renders_for_that_palette(bool dark)
    {
        var provider = Render<MudThemeProvider>(p => p
            .Add(t => t.Theme, PortalTheme.Theme)
            .Add(t => t.IsDarkMode, dark));

        var cached = await ThemeStyles.ForAsync(dark, Services);

        provider.MarkupMatches(cached.Value);
        var other = await ThemeStyles.ForAsync(!dark, Services);
        Assert.NotEqual(cached.Value, other.Value);
    }
}
