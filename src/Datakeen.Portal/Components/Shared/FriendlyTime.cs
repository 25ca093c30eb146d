using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace Datakeen.Portal.Components.Shared;

// Dates as the portal shows them: relative ("3 hours ago", "in 7 days"), with the full timestamp on hover and
// focus. The server does not know the browser's time zone: Element renders a <time datetime> with the UTC time as
// its title, and wwwroot/js/portal.js (datakeen.times) rewrites that title in the viewer's own zone.
public static class FriendlyTime
{
    public static string Absolute(DateTimeOffset at) =>
        at.ToUniversalTime().ToString("d MMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture);

    // For tables where the column header already says UTC.
    public static string Short(DateTimeOffset at) =>
        at.ToUniversalTime().ToString("d MMM yyyy HH:mm", CultureInfo.InvariantCulture);

    public static string Iso(DateTimeOffset at) =>
        at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    // <time datetime="…Z" title="full UTC time" tabindex="0" data-dk-time>3 minutes ago</time>: focusable, so a
    // keyboard user reaches the full time too (portal.js shows it on focus).
    public static RenderFragment Element(DateTimeOffset at, DateTimeOffset now) => builder => Build(builder, at, now);

    private static void Build(RenderTreeBuilder builder, DateTimeOffset at, DateTimeOffset now)
    {
        builder.OpenElement(0, "time");
        builder.AddAttribute(1, "datetime", Iso(at));
        builder.AddAttribute(2, "title", at.ToUniversalTime().ToString("dddd d MMMM yyyy, HH:mm:ss 'UTC'", CultureInfo.InvariantCulture));
        builder.AddAttribute(3, "tabindex", "0");
        builder.AddAttribute(4, "data-dk-time", "");
        builder.AddContent(5, Relative(at, now));
        builder.CloseElement();
    }

    public static string Relative(DateTimeOffset at, DateTimeOffset now)
    {
        var delta = at - now;
        var future = delta > TimeSpan.Zero;
        var span = delta.Duration();

        if (span < TimeSpan.FromMinutes(1))
        {
            return future ? "in less than a minute" : "just now";
        }

        var amount = span switch
        {
            _ when span < TimeSpan.FromHours(1) => Plural((int)span.TotalMinutes, "minute"),
            _ when span < TimeSpan.FromDays(1) => Plural((int)span.TotalHours, "hour"),
            _ when span < TimeSpan.FromDays(31) => Plural((int)span.TotalDays, "day"),
            _ => null,
        };

        if (amount is null)
        {
            return "on " + at.ToUniversalTime().ToString("d MMM yyyy", CultureInfo.InvariantCulture);
        }

        return future ? $"in {amount}" : $"{amount} ago";
    }

    private static string Plural(int count, string unit) => count == 1 ? $"1 {unit}" : $"{count} {unit}s";
}
