using StackExchange.Redis;

namespace Datakeen.Portal.Infrastructure.Scaling;

// The instances' shared windows: one Redis key per bucket, counted and given its expiry in one Lua
// script, so concurrent hits from any instance are counted exactly once and a window cannot lose its
// expiry. While Redis is unreachable the limits fall back to this instance's own windows (a degraded
// bound, not an outage; docs/deploy.md).
public sealed class RedisRateWindows(
    IConnectionMultiplexer redis,
    InMemoryRateWindows fallback,
    TimeProvider time,
    ILogger<RedisRateWindows> logger) : IRateWindows
{
    private const string KeyPrefix = "datakeen:rate:";

    private static readonly LuaScript IncrementScript = LuaScript.Prepare("""
        local n = redis.call('INCR', @key)
        local ttl = redis.call('PTTL', @key)
        if ttl < 0 then
          redis.call('PEXPIRE', @key, @windowMs)
          ttl = tonumber(@windowMs)
        end
        return { n, ttl }
        """);

    private static readonly LuaScript PeekScript = LuaScript.Prepare("""
        local n = redis.call('GET', @key)
        if not n then return { 0, 0 } end
        return { tonumber(n), redis.call('PTTL', @key) }
        """);

    private long _lastWarning;

    public async ValueTask<WindowCount> IncrementAsync(string bucket, TimeSpan window, CancellationToken cancellationToken)
    {
        try
        {
            var result = await redis.GetDatabase().ScriptEvaluateAsync(IncrementScript,
                new { key = (RedisKey)(KeyPrefix + bucket), windowMs = (long)window.TotalMilliseconds });
            return ToCount(result);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            WarnOccasionally(ex);
            return await fallback.IncrementAsync(bucket, window, cancellationToken);
        }
    }

    public async ValueTask<WindowCount> PeekAsync(string bucket, CancellationToken cancellationToken)
    {
        try
        {
            var result = await redis.GetDatabase().ScriptEvaluateAsync(PeekScript, new { key = (RedisKey)(KeyPrefix + bucket) });
            return ToCount(result);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            WarnOccasionally(ex);
            return await fallback.PeekAsync(bucket, cancellationToken);
        }
    }

    private static WindowCount ToCount(RedisResult result)
    {
        var values = (RedisResult[])result!;
        return new WindowCount((long)values[0], TimeSpan.FromMilliseconds(Math.Max(0, (long)values[1])));
    }

    private void WarnOccasionally(Exception ex)
    {
        var now = time.GetUtcNow().UtcTicks;
        var last = Interlocked.Read(ref _lastWarning);
        if (now - last >= TimeSpan.TicksPerMinute && Interlocked.CompareExchange(ref _lastWarning, now, last) == last)
        {
            logger.LogWarning(ex, "Redis unreachable: rate limits count per instance until it is back");
        }
    }
}
