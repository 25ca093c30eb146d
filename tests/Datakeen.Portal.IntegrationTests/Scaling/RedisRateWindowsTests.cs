using Datakeen.Portal.Infrastructure.Scaling;
using Datakeen.Portal.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Datakeen.Portal.IntegrationTests.Scaling;

// The shared windows against a real redis-server: two "instances" (two connections) counting at once.
public sealed class RedisRateWindowsTests : IAsyncLifetime
{
    private TestRedis _redis = null!;

    public async Task InitializeAsync() => _redis = await TestRedis.StartAsync();

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task Two_instances_counting_in_parallel_share_one_window_and_every_hit_is_counted_once()
    {
        await using var first = await ConnectAsync(_redis.Configuration);
        await using var second = await ConnectAsync(_redis.Configuration);
        var a = Windows(first);
        var b = Windows(second);
        var bucket = $"test:{Guid.NewGuid():N}";

        var counts = await Task.WhenAll(Enumerable.Range(0, 400).Select(async i =>
            (await (i % 2 == 0 ? a : b).IncrementAsync(bucket, TimeSpan.FromMinutes(1), default)).Count));

        Assert.Equal(Enumerable.Range(1, 400).Select(n => (long)n), counts.Order());
        var peek = await b.PeekAsync(bucket, default);
        Assert.Equal(400, peek.Count);
        Assert.InRange(peek.ResetsIn, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task A_window_ends_with_its_expiry()
    {
        await using var connection = await ConnectAsync(_redis.Configuration);
        var windows = Windows(connection);
        var bucket = $"test:{Guid.NewGuid():N}";

        var first = await windows.IncrementAsync(bucket, TimeSpan.FromMilliseconds(300), default);
        Assert.Equal(1, first.Count);
        Assert.InRange(first.ResetsIn, TimeSpan.Zero, TimeSpan.FromMilliseconds(300));

        // Redis expires the key by its own clock: wait for it to be gone, bounded.
        var db = connection.GetDatabase();
        for (var i = 0; i < 100 && await db.KeyExistsAsync("datakeen:rate:" + bucket); i++)
        {
            await Task.Delay(50);
        }
        Assert.Equal(0, (await windows.PeekAsync(bucket, default)).Count);
        Assert.Equal(1, (await windows.IncrementAsync(bucket, TimeSpan.FromMinutes(1), default)).Count);
    }

    [Fact]
    public async Task Without_redis_the_limits_count_in_memory_instead_of_failing()
    {
        var port = _redis.Port;
        await _redis.DisposeAsync();
        var options = ConfigurationOptions.Parse($"127.0.0.1:{port}");
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
        var windows = Windows(connection);

        Assert.Equal(1, (await windows.IncrementAsync("down", TimeSpan.FromMinutes(1), default)).Count);
        Assert.Equal(2, (await windows.IncrementAsync("down", TimeSpan.FromMinutes(1), default)).Count);
        Assert.Equal(2, (await windows.PeekAsync("down", default)).Count);
        _redis = await TestRedis.StartAsync();
    }

    private static async Task<ConnectionMultiplexer> ConnectAsync(string configuration) =>
        await ConnectionMultiplexer.ConnectAsync(configuration);

    private static RedisRateWindows Windows(IConnectionMultiplexer connection) =>
        new(connection, new InMemoryRateWindows(TimeProvider.System), TimeProvider.System, NullLogger<RedisRateWindows>.Instance);
}
