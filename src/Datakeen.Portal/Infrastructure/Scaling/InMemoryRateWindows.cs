using System.Collections.Concurrent;

namespace Datakeen.Portal.Infrastructure.Scaling;

// One process's windows: the budget of a single instance, and the fallback while Redis is unreachable.
public sealed class InMemoryRateWindows(TimeProvider time) : IRateWindows
{
    private static readonly TimeSpan SweepEvery = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);
    private long _lastSweep;

    public ValueTask<WindowCount> IncrementAsync(string bucket, TimeSpan window, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        SweepOccasionally(now);
        return ValueTask.FromResult(_counters.GetOrAdd(bucket, static _ => new Counter()).Increment(now, window));
    }

    public ValueTask<WindowCount> PeekAsync(string bucket, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_counters.TryGetValue(bucket, out var counter)
            ? counter.Peek(time.GetUtcNow())
            : new WindowCount(0, TimeSpan.Zero));

    // Forgets buckets whose window is over, so spoofed or rotating addresses cannot grow the map forever.
    private void SweepOccasionally(DateTimeOffset now)
    {
        var last = Interlocked.Read(ref _lastSweep);
        if (now.UtcTicks - last < SweepEvery.Ticks || Interlocked.CompareExchange(ref _lastSweep, now.UtcTicks, last) != last)
        {
            return;
        }

        foreach (var (bucket, counter) in _counters)
        {
            if (counter.Peek(now).Count == 0)
            {
                _counters.TryRemove(new KeyValuePair<string, Counter>(bucket, counter));
            }
        }
    }

    private sealed class Counter
    {
        private readonly Lock _lock = new();
        private long _windowEnd;
        private long _count;

        public WindowCount Increment(DateTimeOffset now, TimeSpan window)
        {
            lock (_lock)
            {
                if (now.UtcTicks >= _windowEnd)
                {
                    _windowEnd = now.UtcTicks + window.Ticks;
                    _count = 0;
                }
                _count++;
                return new WindowCount(_count, TimeSpan.FromTicks(_windowEnd - now.UtcTicks));
            }
        }

        public WindowCount Peek(DateTimeOffset now)
        {
            lock (_lock)
            {
                return now.UtcTicks >= _windowEnd
                    ? new WindowCount(0, TimeSpan.Zero)
                    : new WindowCount(_count, TimeSpan.FromTicks(_windowEnd - now.UtcTicks));
            }
        }
    }
}
