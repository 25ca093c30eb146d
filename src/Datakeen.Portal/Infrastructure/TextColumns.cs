namespace Datakeen.Portal.Infrastructure;

// Text cut to the length of the column it goes into; the owner of each column names the length.
// Never cuts a surrogate pair in two (half of one is a lone surrogate PostgreSQL cannot store).
public static class TextColumns
{
    public static string? Fit(string? value, int maxLength) =>
        value is null || value.Length <= maxLength ? value
            : value[..(char.IsHighSurrogate(value[maxLength - 1]) ? maxLength - 1 : maxLength)];
}
