using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Infrastructure.Scaling;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Datakeen.Portal.Tests.ApiKeys;

public sealed class ApiRateLimitsTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly ApiRateLimits _limits;

    public ApiRateLimitsTests() => _limits = new ApiRateLimits(
        new StaticOptions(new ApiKeyOptions { FailedAttemptsPerMinute = 3, RequestsPerMinutePerKey = 2 }), new InMemoryRateWindows(_time));

    [Fact]
    public async Task A_client_is_blocked_after_its_allowed_failures_until_the_window_ends()
    {
        for (var i = 0; i < 2; i++)
        {
            await _limits.RecordFailureAsync("10.0.0.1", default);
        }

        Assert.Null(await _limits.ClientBlockedForAsync("10.0.0.1", default));
        await _limits.RecordFailureAsync("10.0.0.1", default);
        var retryAfter = await _limits.ClientBlockedForAsync("10.0.0.1", default);
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.Null(await _limits.ClientBlockedForAsync("10.0.0.2", default));

        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Null(await _limits.ClientBlockedForAsync("10.0.0.1", default));
    }

    [Fact]
    public async Task A_key_gets_its_quota_per_window()
    {
        var key = Guid.NewGuid();

        Assert.Null(await _limits.AcquireForKeyAsync(key, default));
        Assert.Null(await _limits.AcquireForKeyAsync(key, default));
        var retryAfter = await _limits.AcquireForKeyAsync(key, default);
        Assert.NotNull(retryAfter);
        Assert.True(retryAfter > TimeSpan.Zero);
        Assert.Null(await _limits.AcquireForKeyAsync(Guid.NewGuid(), default));

        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Null(await _limits.AcquireForKeyAsync(key, default));
    }

    private sealed class StaticOptions(ApiKeyOptions value) : IOptionsMonitor<ApiKeyOptions>
    {
        public ApiKeyOptions CurrentValue => value;

        public ApiKeyOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ApiKeyOptions, string?> listener) => null;
    }
}
