using Datakeen.Portal.Auth;
using Datakeen.Portal.Usage;

namespace Datakeen.Portal.Tests.Components.ApiDocs;

// Usage per key as the test sets it; zeros for any other key.
public sealed class FakeKeyUsageQueries : IKeyUsageQueries
{
    public DateOnly FirstDay { get; set; } = new(2031, 3, 1);

    public Dictionary<Guid, long[]> Requests { get; } = [];

    public Task<IReadOnlyDictionary<Guid, KeyUsageSeries>> GetLastDaysAsync(Guid workspaceId, Actor actor, int days = 30,
        CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyDictionary<Guid, KeyUsageSeries>>(Requests.ToDictionary(r => r.Key, r => new KeyUsageSeries(FirstDay, r.Value)));

    public Task<KeyUsageSeries?> GetKeyLastDaysAsync(Guid workspaceId, Guid keyId, Actor actor, int days = 30,
        CancellationToken ct = default) =>
        Task.FromResult<KeyUsageSeries?>(new KeyUsageSeries(FirstDay, Requests.TryGetValue(keyId, out var requests) ? requests : new long[days]));
}
