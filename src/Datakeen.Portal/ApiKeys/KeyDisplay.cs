namespace Datakeen.Portal.ApiKeys;

// What may be shown of a key without revealing it: its prefix and last four characters.
public static class KeyDisplay
{
    private const string Bullets = "••••••••••••••••";

    public static string Masked(string prefix, string lastFour) => prefix + Bullets + lastFour;

    public static string Hint(string prefix, string lastFour) => prefix + "…" + lastFour;

    public static string LastFourOf(string key) => key[^4..];
}
