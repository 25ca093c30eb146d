using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components.Rendering;
using MudBlazor;

namespace Datakeen.Portal.Components.Layout;

// MudThemeProvider, with its stylesheets shared by every circuit. The stock provider builds its theme
// stylesheet (about 12,000 characters of CSS variables) as a new string on every render, and each circuit's
// render trees keep it. The portal has one theme, so there are only two distinct stylesheets (light and dark):
// this provider still builds the stylesheet on render (so it is exactly the stock one, dark mode state and
// all), but keeps the shared instance in the render tree and lets the new one go (docs/benchmarks.md, circuits).
public sealed class SharedThemeProvider : MudThemeProvider
{
    // Bounded: a theme is configuration, and a few distinct stylesheets at most ever exist.
    private const int MaxStylesheets = 8;

    // The stock template's chart hover rule, unchanged.
    private const string ChartStyle = """
        <style>
            .mud-chart-serie:hover {
                filter: url(#lighten);
            }

            .mud-chart-serie-hovered
            {
                filter: url(#lighten);
            }
        </style>
        """;

    private static readonly ConcurrentDictionary<string, string> Stylesheets = new(StringComparer.Ordinal);
    private static readonly string Scrollbar = BuildMudBlazorScrollbar();

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        if (!DefaultScrollbar)
        {
            builder.AddMarkupContent(0, Scrollbar);
        }
        builder.AddMarkupContent(1, ChartStyle);
        builder.AddMarkupContent(2, Shared(BuildTheme()));
    }

    private static string Shared(string stylesheet) =>
        Stylesheets.TryGetValue(stylesheet, out var shared) ? shared
        : Stylesheets.Count < MaxStylesheets ? Stylesheets.GetOrAdd(stylesheet, stylesheet)
        : stylesheet;
}
