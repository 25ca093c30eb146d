namespace Datakeen.Portal.Infrastructure;

// Text cut to the length of the column it goes into; the owner of each column names the length.
public static class TextColumns
{
    public static string? Fit(string? value, int maxLength) =>
        value is null || value.Length <= maxLength ? value : value[..maxLength];
}
