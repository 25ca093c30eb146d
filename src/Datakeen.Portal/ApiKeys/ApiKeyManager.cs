using Datakeen.Portal.Auth;

namespace Datakeen.Portal.ApiKeys;

// The tab's seam to the three key services (components are tested against a fake of IApiKeyManager). Each
// operation has one owner: ApiKeyListing lists, SecretReveal reveals and copies, KeyRotation rotates and ends grace
// periods, KeyAllowedOrigins saves a public key's websites.
public sealed class ApiKeyManager(ApiKeyListing listing, SecretReveal reveal, KeyRotation rotation, KeyAllowedOrigins allowedOrigins)
    : IApiKeyManager
{
    public Task<IReadOnlyList<ApiKeyView>> ListAsync(Guid workspaceId, Actor actor, CancellationToken ct = default) =>
        listing.ListAsync(workspaceId, actor, ct);

    public Task<KeyAccessResult> GetPlaintextAsync(Guid workspaceId, Guid keyId, KeyAccessPurpose purpose, Actor actor,
        CancellationToken ct = default) =>
        reveal.GetPlaintextAsync(workspaceId, keyId, purpose, actor, ct);

    public Task<KeyRotationResult> RotateAsync(Guid workspaceId, Guid keyId, TimeSpan? gracePeriod, Actor actor,
        CancellationToken ct = default) =>
        rotation.RotateAsync(workspaceId, keyId, gracePeriod, actor, ct);

    public Task<KeyRotationResult> EndGraceAsync(Guid workspaceId, Guid keyId, Actor actor, CancellationToken ct = default) =>
        rotation.EndGraceAsync(workspaceId, keyId, actor, ct);

    public Task<AllowedOriginsResult> SaveAllowedOriginsAsync(Guid workspaceId, Guid keyId, IReadOnlyList<string> origins, Actor actor,
        CancellationToken ct = default) =>
        allowedOrigins.SaveAsync(workspaceId, keyId, origins, actor, ct);
}
