using System.Text.RegularExpressions;

namespace Datakeen.Portal.Testing;

// The key pattern (docs/architecture.md, "Keys"), for tests that look for keys in text (logs, pages, stored answers).
public static class KeyPatterns
{
    // Any key anywhere in a text.
    public static readonly Regex AnyKey = new("dk_(live|test)_(pk|sk)_[0-9A-Za-z]{38}");

    // Any secret key anywhere in a text.
    public static readonly Regex SecretKey = new("dk_(live|test)_sk_[0-9A-Za-z]{38}");

    // A text that is exactly one key.
    public static readonly Regex WholeKey = new("^dk_(live|test)_(pk|sk)_[0-9A-Za-z]{38}$");
}
