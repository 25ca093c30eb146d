using Datakeen.Portal.ApiKeys;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Datakeen.Portal.Tests.ApiKeys;

public sealed class ApiRateLimitsTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly ApiRateLimits _limits;

    public ApiRateLimitsTests() => _limits = new ApiRateLimits(
        new StaticOptions(new ApiKeyOptions { FailedAttemptsPerMinute = 3, RequestsPerMinutePerKey = 2 }), _time);

    [Fact]
    public void A_client_is_blocked_after_its_allowed_failures_until_the_window_ends()
    {
        for (var i = 0; i < 2; i++)
        {
            _limits.RecordFailure("10.0.0.1");
        }

        Assert.False(_limits.IsClientBlocked("10.0.0.1", out _));
        _limits.RecordFailure("10.0.0.1");
        Assert.True(_limits.IsClientBlocked("10.0.0.1", out var retryAfter));
        Assert.InRange(retryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.False(_limits.IsClientBlocked("10.0.0.2", out _));

        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.False(_limits.IsClientBlocked("10.0.0.1", out _));
    }

    [Fact]
    public void A_key_gets_its_quota_per_window()
    {
        var key = Guid.NewGuid();

        Assert.True(_limits.TryAcquireForKey(key, out _));
        Assert.True(_limits.TryAcquireForKey(key, out _));
        Assert.False(_limits.TryAcquireForKey(key, out var retryAfter));
        Assert.True(retryAfter > TimeSpan.Zero);
        Assert.True(_limits.TryAcquireForKey(Guid.NewGuid(), out _));

        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.True(_limits.TryAcquireForKey(key, out _));
    }

    private sealed class StaticOptions(ApiKeyOptions value) : IOptionsMonitor<ApiKeyOptions>
    {
        public ApiKeyOptions CurrentValue => value;

        public ApiKeyOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ApiKeyOptions, string?> listener) => null;
    }
}
