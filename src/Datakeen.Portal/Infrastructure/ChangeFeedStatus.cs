namespace Datakeen.Portal.Infrastructure;

// What the change-feed listener last knew about its connection, for the readiness check.
public sealed class ChangeFeedStatus(TimeProvider time)
{
    private readonly long _startedAt = time.GetUtcNow().UtcTicks;
    private long _connectedAt;
    private long _lastHeard;

    public TimeSpan KeepaliveInterval { get; init; } = TimeSpan.FromSeconds(5);

    public bool IsConnected => Interlocked.Read(ref _connectedAt) != 0;

    public void MarkConnected()
    {
        var now = time.GetUtcNow().UtcTicks;
        Interlocked.Exchange(ref _lastHeard, now);
        Interlocked.Exchange(ref _connectedAt, now);
    }

    public void MarkDisconnected() => Interlocked.Exchange(ref _connectedAt, 0);

    public void MarkHeard() => Interlocked.Exchange(ref _lastHeard, time.GetUtcNow().UtcTicks);

    // Null when healthy; otherwise why not. Starting up (never connected yet) gets a grace period.
    public string? Problem()
    {
        var now = time.GetUtcNow().UtcTicks;
        var allowed = 3 * KeepaliveInterval.Ticks;
        if (!IsConnected)
        {
            return now - Math.Max(_startedAt, Interlocked.Read(ref _lastHeard)) < allowed
                ? null
                : "change feed disconnected";
        }

        return now - Interlocked.Read(ref _lastHeard) < allowed ? null : "change feed silent (no keepalive delivered)";
    }
}
