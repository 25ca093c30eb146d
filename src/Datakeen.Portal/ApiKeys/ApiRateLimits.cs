using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.ApiKeys;

// Two fixed one-minute windows: failed key attempts per client IP, and requests per key. In memory,
// per instance: a bound against brute force and runaway clients, not billing.
public sealed class ApiRateLimits(IOptionsMonitor<ApiKeyOptions> options, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, Counter> _failures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, Counter> _requests = new();
    private long _lastSweep;

    // True when this client has used up its failed attempts of the current window.
    public bool IsClientBlocked(string client, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        return _failures.TryGetValue(client, out var counter) &&
               counter.IsOver(options.CurrentValue.FailedAttemptsPerMinute - 1, time.GetUtcNow(), out retryAfter);
    }

    public void RecordFailure(string client)
    {
        SweepOccasionally();
        _failures.GetOrAdd(client, static _ => new Counter()).Increment(time.GetUtcNow());
    }

    // Counts the request; false (with the wait) when the key is over its limit.
    public bool TryAcquireForKey(Guid keyId, out TimeSpan retryAfter)
    {
        var counter = _requests.GetOrAdd(keyId, static _ => new Counter());
        var now = time.GetUtcNow();
        counter.Increment(now);
        return !counter.IsOver(options.CurrentValue.RequestsPerMinutePerKey, now, out retryAfter);
    }

    // Forgets clients whose window is long over, so spoofed or rotating addresses cannot grow the map forever.
    private void SweepOccasionally()
    {
        var now = time.GetUtcNow();
        var last = Interlocked.Read(ref _lastSweep);
        if (now.UtcTicks - last < Window.Ticks || Interlocked.CompareExchange(ref _lastSweep, now.UtcTicks, last) != last)
        {
            return;
        }

        foreach (var (client, counter) in _failures)
        {
            if (counter.IsStale(now))
            {
                _failures.TryRemove(new KeyValuePair<string, Counter>(client, counter));
            }
        }

        foreach (var (key, counter) in _requests)
        {
            if (counter.IsStale(now))
            {
                _requests.TryRemove(new KeyValuePair<Guid, Counter>(key, counter));
            }
        }
    }

    private sealed class Counter
    {
        private readonly Lock _lock = new();
        private long _windowStart;
        private int _count;

        public void Increment(DateTimeOffset now)
        {
            lock (_lock)
            {
                Roll(now);
                _count++;
            }
        }

        // Over the limit when more than `limit` were counted in the current window.
        public bool IsOver(int limit, DateTimeOffset now, out TimeSpan retryAfter)
        {
            lock (_lock)
            {
                Roll(now);
                retryAfter = TimeSpan.FromTicks(_windowStart + Window.Ticks - now.UtcTicks);
                return _count > limit;
            }
        }

        public bool IsStale(DateTimeOffset now)
        {
            lock (_lock)
            {
                return now.UtcTicks - _windowStart >= 2 * Window.Ticks;
            }
        }

        private void Roll(DateTimeOffset now)
        {
            if (now.UtcTicks - _windowStart >= Window.Ticks)
            {
                _windowStart = now.UtcTicks;
                _count = 0;
            }
        }
    }
}
