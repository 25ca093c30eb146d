namespace Datakeen.Portal.ApiKeys;

// How long the plaintext of a secret key can be shown again after it was issued.
public enum RevealPolicy
{
    // Any time, by an Admin (Test default).
    Always,

    // Until it has been revealed or copied once; then only the hash is left (Production default).
    Once,

    // Never after issuance: no encrypted copy is kept at all.
    Never,
}
