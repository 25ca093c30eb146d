using System.Globalization;
using System.Text;

namespace Datakeen.Portal.Workspaces;

// URL-safe workspace identifiers: "Acme Corp." -> "acme-corp". Uniqueness (-2, -3, ...) is the creator's job.
public static class WorkspaceSlug
{
    public const int MaxBaseLength = 50;
    public const string Fallback = "workspace";

    public static string From(string name)
    {
        var builder = new StringBuilder(name.Length);
        // Decomposing first turns "Café" into "Cafe" + accent, and the accent is then dropped.
        foreach (var c in name.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            var lower = char.ToLowerInvariant(c);
            if (lower is (>= 'a' and <= 'z') or (>= '0' and <= '9'))
            {
                builder.Append(lower);
            }
            else if (builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }
        }

        var slug = builder.ToString();
        slug = slug[..Math.Min(slug.Length, MaxBaseLength)].Trim('-');
        return slug.Length == 0 ? Fallback : slug;
    }

    public static string WithSuffix(string baseSlug, int number) => number <= 1 ? baseSlug : $"{baseSlug}-{number}";
}
