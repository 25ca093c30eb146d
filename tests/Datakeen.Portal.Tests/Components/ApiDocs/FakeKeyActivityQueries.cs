using Datakeen.Portal.ApiKeys.Activity;
using Datakeen.Portal.Auth;

namespace Datakeen.Portal.Tests.Components.ApiDocs;

// Activity per key as the test sets it; an empty view for any other key.
public sealed class FakeKeyActivityQueries : IKeyActivityQueries
{
    public Dictionary<Guid, KeyActivityView> Views { get; } = [];
    public Dictionary<Guid, KeyDrainView> Drains { get; } = [];
    public string? Csv { get; set; }

    public Task<KeyActivityView?> GetAsync(Guid workspaceId, Guid keyId, Actor actor, string? outcome = null, CancellationToken ct = default)
    {
        var view = Views.GetValueOrDefault(keyId) ?? new KeyActivityView([], []);
        return Task.FromResult<KeyActivityView?>(outcome is null ? view : view with { Recent = view.Recent.Where(r => r.Outcome == outcome).ToList() });
    }

    public Task<KeyDrainView?> GetDrainAsync(Guid workspaceId, Guid keyId, Actor actor, CancellationToken ct = default) =>
        Task.FromResult(Drains.GetValueOrDefault(keyId));

    public Task<string?> ExportCsvAsync(Guid workspaceId, Guid keyId, Actor actor, CancellationToken ct = default) =>
        Task.FromResult(Csv);
}
