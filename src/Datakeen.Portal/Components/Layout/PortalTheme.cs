using MudBlazor;

namespace Datakeen.Portal.Components.Layout;

public static class PortalTheme
{
    // The theme the person chose, remembered by the browser and read while rendering, so a dark page is dark from
    // its first byte. Written by the theme toggle (wwwroot/Datakeen.Portal.lib.module.js).
    public const string CookieName = "datakeen-theme";

    public static bool IsDark(HttpContext? http) =>
        http?.Request.Cookies[CookieName] is { } chosen
            ? chosen == "dark"
            // No choice yet: the system setting, when the browser tells it (a client hint), else light.
            : http?.Request.Headers["Sec-CH-Prefers-Color-Scheme"].ToString() == "dark";

    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#3148c8",
            Secondary = "#0f8b8d",
            AppbarBackground = "#1b2559",
            // Darker than MudBlazor's defaults so coloured text keeps a 4.5:1 contrast (WCAG AA).
            Success = "#1b7a36",
            Warning = "#9a5200",
            Info = "#1565c0",
            Error = "#c62828",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#a3b3ff",
            Secondary = "#4fd1c5",
            AppbarBackground = "#141a33",
            // MudBlazor's default secondary text (50 % white) is below 4.5:1 on dark surfaces.
            TextSecondary = "#b9bdc9",
            PrimaryContrastText = "#0b1030",
            Info = "#6cb8ff",
            Success = "#5fd068",
            Warning = "#ffb74d",
            Error = "#ff7a7a",
            ActionDefault = "#c4c8d4",
        },
    };
}
