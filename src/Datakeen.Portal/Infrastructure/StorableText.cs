namespace Datakeen.Portal.Infrastructure;

// Text PostgreSQL can store: its text types refuse the NUL character (SQLSTATE 22021) and UTF-8 cannot
// encode a lone UTF-16 surrogate. Every value that comes from outside (API bodies and headers, form
// fields, claims of the identity provider) is checked here before it can reach the database, so such
// input is the caller's mistake (400 or a validation message), never a database error.
public static class StorableText
{
    public static bool IsStorable(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return false;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }
                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    // For values the portal does not ask for and should not refuse a sign-in over (a display name sent by
    // the provider): NUL characters are dropped and lone surrogates become U+FFFD.
    public static string? Sanitize(string? text)
    {
        if (text is null || IsStorable(text))
        {
            return text;
        }

        var builder = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else
            {
                builder.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }

        return builder.ToString();
    }

    // For names people choose (a display name, a workspace name) that end up in pages, audit rows and mail:
    // control characters (CR, LF, tabs, …) and bidirectional overrides become one space, so a name is one
    // line that reads as it is stored. Empty afterwards: null.
    public static string? WithoutControlCharacters(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var builder = new System.Text.StringBuilder(text.Length);
        foreach (var c in text)
        {
            var blank = char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';
            if (!blank)
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != ' ')
            {
                builder.Append(' ');
            }
        }

        var cleaned = builder.ToString().Trim();
        return cleaned.Length == 0 ? null : cleaned;
    }
}
