using Datakeen.Portal.Infrastructure.Scaling;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.ApiKeys;

// Fixed windows: failed key attempts per client IP and minute, requests per key and minute, admin rotations per
// workspace and hour. Counted in
// IRateWindows: per instance in memory, or shared by every instance through Redis when it is configured,
// so N instances give one budget, not N (docs/deploy.md). A bound against brute force and runaway
// clients, not billing.
public sealed class ApiRateLimits(IOptionsMonitor<ApiKeyOptions> options, IRateWindows windows)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    // The wait when this client has used up its failed attempts of the current window, else null.
    public async ValueTask<TimeSpan?> ClientBlockedForAsync(string client, CancellationToken cancellationToken)
    {
        var count = await windows.PeekAsync(FailureBucket(client), cancellationToken);
        return count.Count >= options.CurrentValue.FailedAttemptsPerMinute ? count.ResetsIn : null;
    }

    public async ValueTask RecordFailureAsync(string client, CancellationToken cancellationToken) =>
        await windows.IncrementAsync(FailureBucket(client), Window, cancellationToken);

    // Counts the request; the wait when the key is over its limit, else null.
    public async ValueTask<TimeSpan?> AcquireForKeyAsync(Guid keyId, CancellationToken cancellationToken)
    {
        var count = await windows.IncrementAsync("key:" + keyId.ToString("N"), Window, cancellationToken);
        return count.Count > options.CurrentValue.RequestsPerMinutePerKey ? count.ResetsIn : null;
    }

    // Counts an admin's rotation; the wait when the workspace has used up its rotations of the hour, else null.
    public async ValueTask<TimeSpan?> AcquireRotationAsync(Guid workspaceId, CancellationToken cancellationToken)
    {
        var count = await windows.IncrementAsync("rotations:" + workspaceId.ToString("N"), TimeSpan.FromHours(1), cancellationToken);
        return count.Count > options.CurrentValue.RotationsPerHourPerWorkspace ? count.ResetsIn : null;
    }

    private static string FailureBucket(string client) => "failures:" + client;
}
