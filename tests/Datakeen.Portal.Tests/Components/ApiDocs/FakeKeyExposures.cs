using Datakeen.Portal.Auth;
using Datakeen.Portal.SecretScanning;

namespace Datakeen.Portal.Tests.Components.ApiDocs;

// Leak findings per key id, as the tests set them; no key has one by default.
public sealed class FakeKeyExposures : IKeyExposures
{
    public Dictionary<Guid, KeyExposure> ByKey { get; } = [];

    public Task<KeyExposure?> FindAsync(Guid workspaceId, Guid keyId, Actor actor, CancellationToken ct = default) =>
        Task.FromResult(ByKey.GetValueOrDefault(keyId));
}
