using MudBlazor;

namespace Datakeen.Portal.Components.Layout;

public static class PortalTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#3148c8",
            Secondary = "#0f8b8d",
            AppbarBackground = "#1b2559",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#8fa2ff",
            Secondary = "#4fd1c5",
            AppbarBackground = "#141a33",
        },
    };
}
