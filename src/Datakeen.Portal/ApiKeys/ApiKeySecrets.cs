using Microsoft.AspNetCore.DataProtection;

namespace Datakeen.Portal.ApiKeys;

// The encrypted copy of a secret key kept for reveal. Its own purpose string, so no other
// protector of the portal can decrypt it.
public sealed class ApiKeySecrets(IDataProtectionProvider provider)
{
    public const string Purpose = "Datakeen.ApiKeys.Secret.v1";

    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    public string Protect(string plaintext) => _protector.Protect(plaintext);

    public string Unprotect(string ciphertext) => _protector.Unprotect(ciphertext);
}
