namespace Datakeen.Portal.Infrastructure.Scaling;

// How many hits a bucket has had in its current fixed window, and when that window ends.
public readonly record struct WindowCount(long Count, TimeSpan ResetsIn);

// Fixed-window counters for rate limits. A bucket's window starts with its first hit and lasts `window`.
// In memory for one instance; through Redis when the instances must share one budget (docs/deploy.md).
public interface IRateWindows
{
    // Counts one hit; answers the count including it.
    ValueTask<WindowCount> IncrementAsync(string bucket, TimeSpan window, CancellationToken cancellationToken);

    // The current count, without counting.
    ValueTask<WindowCount> PeekAsync(string bucket, CancellationToken cancellationToken);
}
