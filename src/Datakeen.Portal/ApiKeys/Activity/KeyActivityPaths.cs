namespace Datakeen.Portal.ApiKeys.Activity;

// Where a key's impact report lives (the page, the exposed-key alert and the leak mail link to it).
public static class KeyActivityPaths
{
    public static string Impact(string slug, Guid keyId) => $"/w/{Uri.EscapeDataString(slug)}/api/keys/{keyId:D}/impact";
}
