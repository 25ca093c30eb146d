using Datakeen.Portal.Components.Shared;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Datakeen.Portal.Components.Layout;

// The portal theme's styles (CSS variables for the light or the dark palette) as MudThemeProvider itself renders
// them, once per palette (RenderedOnce): the theme never changes per person, and MudThemeProvider builds its whole
// stylesheet string on every render.
public static class ThemeStyles
{
    private static readonly RenderedOnce<bool> Rendered = new(capacity: 2);

    public static ValueTask<MarkupString> ForAsync(bool dark, IServiceProvider services) =>
        Rendered.GetAsync<MudThemeProvider>(dark, services, isDark => new Dictionary<string, object?>
        {
            [nameof(MudThemeProvider.Theme)] = PortalTheme.Theme,
            [nameof(MudThemeProvider.IsDarkMode)] = isDark,
        });
}
