using System.ComponentModel.DataAnnotations;

namespace Datakeen.Portal.SecretScanning;

// SecretScanning__GitHub__PublicKeysUrl, SecretScanning__RevokeProduction, … (docs/leak-reports.md).
public sealed class SecretScanningOptions
{
    public const string SectionName = "SecretScanning";

    // A reported Production secret is always marked exposed; with this it is also revoked and replaced at once.
    public bool RevokeProduction { get; set; }

    public GitHubSecretScanningOptions GitHub { get; set; } = new();
}

public sealed class GitHubSecretScanningOptions
{
    [Required(AllowEmptyStrings = false), Url]
    public string PublicKeysUrl { get; set; } = "https://api.github.com/meta/public_keys/secret_scanning";

    // Optional: a token for the public-key list (GitHub serves it without one, at a lower rate limit).
    public string? Token { get; set; }

    // An unknown key identifier refetches the list, at most this often (unsigned requests cannot make the
    // portal hammer GitHub).
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan MinRefetchInterval { get; set; } = TimeSpan.FromSeconds(10);
}
