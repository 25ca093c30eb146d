using System.Globalization;

namespace Datakeen.Portal.Components.Shared;

// Dates as the key rows show them: relative ("3 hours ago", "in 7 days") with the absolute UTC
// time alongside (the server does not know the browser's time zone).
public static class FriendlyTime
{
    public static string Absolute(DateTimeOffset at) =>
        at.ToUniversalTime().ToString("d MMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture);

    // For tables where the column header already says UTC.
    public static string Short(DateTimeOffset at) =>
        at.ToUniversalTime().ToString("d MMM yyyy HH:mm", CultureInfo.InvariantCulture);

    public static string Iso(DateTimeOffset at) =>
        at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

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
