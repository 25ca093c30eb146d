namespace Datakeen.Portal.ApiKeys;

public enum KeyExposureKind
{
    // The key itself was found in public and still works (a Production secret): rotate it.
    Exposed,

    // The key replaced one that was found in public (a Test secret, revoked and replaced at once).
    ReplacedAfterLeak,
}

// What the tab shows about a leak, on the key it concerns (carried by ApiKeyView; docs/leak-reports.md).
// LeakedKeyId: the key that was found (this key, or the one it replaced), whose impact report the alert links to.
public sealed record KeyExposure(KeyExposureKind Kind, string Url, DateTimeOffset FoundAt)
{
    public Guid LeakedKeyId { get; init; }
}
