using Datakeen.Portal.Auth;
using Datakeen.Portal.Usage;

namespace Datakeen.Portal.Tests.Components.ApiDocs;

// Usage per key as the test sets it; zeros for any other key.
public sealed class FakeKeyUsageQueries : IKeyUsageQueries
{
    public DateOnly First { get; set; } = new(2031, 3, 1);

    public Dictionary<Guid, long[]> Requests { get; } = [];

    public Task<IReadOnlyDictionary<Guid, KeyUsageSeries>> GetLastDaysAsync(Guid workspaceId, Actor actor, int days = 30,
        CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyDictionary<Guid, KeyUsageSeries>>(Requests.ToDictionary(r => r.Key, r => new KeyUsageSeries(First, r.Value)));

    public DateOnly FirstDay(int days) => First;
}
