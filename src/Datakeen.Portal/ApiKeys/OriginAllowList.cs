namespace Datakeen.Portal.ApiKeys;

// The web origins allowed to use a public key (docs/key-activity.md, "Allowed websites"). An entry is an exact
// origin (`https://app.example.com`, `http://shop.example.com:8080`), a subdomain wildcard
// (`https://*.example.com`: any subdomain, not the domain itself), or the development opt-in
// `http://localhost:*` (localhost on any port). An empty list allows every origin: the behaviour before lists.
public sealed class OriginAllowList
{
    public const int MaxEntries = 50;
    public const int MaxEntryLength = 200;
    public const string LocalhostAnyPort = "http://localhost:*";

    public static readonly OriginAllowList Empty = new([]);

    private readonly string[] _exact;
    private readonly (string Scheme, string Suffix, int Port)[] _wildcards;
    private readonly bool _localhostAnyPort;

    private OriginAllowList(IReadOnlyList<string> entries)
    {
        Entries = entries;
        _exact = entries.Where(e => !e.Contains('*', StringComparison.Ordinal)).ToArray();
        _localhostAnyPort = entries.Contains(LocalhostAnyPort, StringComparer.Ordinal);
        _wildcards = entries.Where(e => e.Contains("://*.", StringComparison.Ordinal))
            .Select(e => new Uri(e.Replace("://*.", "://wildcard.", StringComparison.Ordinal)))
            .Select(u => (u.Scheme, u.Host["wildcard".Length..], u.Port))
            .ToArray();
    }

    // The normalized entries, as stored.
    public IReadOnlyList<string> Entries { get; }

    public bool IsEmpty => Entries.Count == 0;

    // Stored entries were normalized when they were saved; anything unreadable is left out (never widens the list).
    public static OriginAllowList FromStored(string[]? entries)
    {
        if (entries is null || entries.Length == 0)
        {
            return Empty;
        }

        return new OriginAllowList(entries.Select(e => TryNormalize(e, out var n, out _) ? n : null)
            .OfType<string>().Distinct(StringComparer.Ordinal).ToArray());
    }

    // Whether a request's Origin header is allowed. An empty list allows everything; "null" (a sandboxed frame,
    // a file) and anything that is not an http(s) origin is refused by a non-empty list.
    public bool Allows(string origin)
    {
        if (IsEmpty)
        {
            return true;
        }

        if (!TryParseOrigin(origin, out var uri))
        {
            return false;
        }

        var normalized = Format(uri);
        if (Array.IndexOf(_exact, normalized) >= 0)
        {
            return true;
        }

        if (_localhostAnyPort && uri.Scheme == Uri.UriSchemeHttp && uri.Host == "localhost")
        {
            return true;
        }

        foreach (var (scheme, suffix, port) in _wildcards)
        {
            if (uri.Scheme == scheme && uri.Port == port && uri.Host.Length > suffix.Length &&
                uri.Host.EndsWith(suffix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    // An admin's entry as it is stored (lower-case, no default port, no path), or why it is not an origin.
    public static bool TryNormalize(string? input, out string normalized, out string? error)
    {
        normalized = "";
        var text = input?.Trim() ?? "";
        if (text.Length is 0 or > MaxEntryLength)
        {
            error = $"Enter an origin such as https://app.example.com (at most {MaxEntryLength} characters).";
            return false;
        }

        if (string.Equals(text, LocalhostAnyPort, StringComparison.OrdinalIgnoreCase))
        {
            normalized = LocalhostAnyPort;
            error = null;
            return true;
        }

        var wildcard = text.Contains("://*.", StringComparison.Ordinal);
        var parsed = wildcard ? text.Replace("://*.", "://wildcard.", StringComparison.Ordinal) : text;
        if (parsed.Contains('*', StringComparison.Ordinal) || !TryParseOrigin(parsed.TrimEnd('/'), out var uri) ||
            (wildcard && uri.Host.Count(c => c == '.') < 2))
        {
            error = "Enter an origin: http:// or https://, a host name and an optional port, without a path " +
                "(https://app.example.com, https://*.example.com for its subdomains, or http://localhost:* for development).";
            return false;
        }

        normalized = Format(uri);
        if (wildcard)
        {
            normalized = normalized.Replace("://wildcard.", "://*.", StringComparison.Ordinal);
        }

        error = null;
        return true;
    }

    private static bool TryParseOrigin(string text, out Uri uri)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out uri!) &&
            (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) &&
            uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.Fragment.Length == 0 &&
            uri.UserInfo.Length == 0 && uri.Host.Length > 0 && !text.EndsWith('/'))
        {
            return true;
        }

        return false;
    }

    private static string Format(Uri uri) =>
        uri.IsDefaultPort ? $"{uri.Scheme}://{uri.IdnHost}" : $"{uri.Scheme}://{uri.IdnHost}:{uri.Port}";
}
