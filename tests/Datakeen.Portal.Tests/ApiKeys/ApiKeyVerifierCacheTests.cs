using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Datakeen.Portal.Tests.ApiKeys;

// The cache rules of the verifier, without a database: anything that would reach the database throws.
public sealed class ApiKeyVerifierCacheTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly ChangeFeed _feed = new();
    private readonly ApiKeyVerifier _verifier;

    public ApiKeyVerifierCacheTests() =>
        _verifier = new ApiKeyVerifier(new NoDatabase(), _feed,
            new StaticOptions(new ApiKeyOptions { CacheTtl = TimeSpan.FromSeconds(30) }), _time);

    [Fact]
    public async Task A_malformed_key_is_refused_without_touching_cache_or_database()
    {
        var key = KeyFormat.Generate(KeyEnvironment.Test, KeyKind.Secret);

        Assert.Null(await _verifier.VerifyAsync(key[..^1] + (key[^1] == '0' ? '1' : '0')));
        Assert.Null(await _verifier.VerifyAsync("not a key"));
        Assert.Null(await _verifier.VerifyAsync(""));
    }

    [Fact]
    public async Task A_cached_key_verifies_without_the_database()
    {
        var (key, _) = Cache(Guid.NewGuid());

        Assert.NotNull(await _verifier.VerifyAsync(key));
    }

    [Fact]
    public async Task A_key_notification_for_its_workspace_evicts_it_and_other_workspaces_stay()
    {
        var workspace = Guid.NewGuid();
        var (key, _) = Cache(workspace);
        var (other, _) = Cache(Guid.NewGuid());

        _feed.Publish(ChangeFeed.KeyChannel, ChangePayload.For(workspace, Guid.NewGuid().ToString()));

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await _verifier.VerifyAsync(key));
        Assert.NotNull(await _verifier.VerifyAsync(other));
    }

    [Fact]
    public async Task A_credit_notification_does_not_evict_keys()
    {
        var workspace = Guid.NewGuid();
        var (key, _) = Cache(workspace);

        _feed.Publish(ChangeFeed.CreditChannel, ChangePayload.For(workspace));

        Assert.NotNull(await _verifier.VerifyAsync(key));
    }

    [Fact]
    public void A_reconnection_flushes_everything()
    {
        Cache(Guid.NewGuid());
        Cache(Guid.NewGuid());

        _feed.RaiseReconnected();

        Assert.Equal(0, _verifier.CachedCount);
    }

    [Fact]
    public async Task An_entry_older_than_the_ttl_is_read_again()
    {
        var (key, _) = Cache(Guid.NewGuid());

        _time.Advance(TimeSpan.FromSeconds(31));

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await _verifier.VerifyAsync(key));
    }

    [Fact]
    public void A_read_that_started_before_an_invalidation_is_not_cached()
    {
        var workspace = Guid.NewGuid();
        var generation = _verifier.Generation;
        _verifier.EvictWorkspace(workspace);

        Cache(workspace, generation);

        Assert.Equal(0, _verifier.CachedCount);
    }

    [Fact]
    public async Task A_replaced_key_in_its_grace_period_verifies_until_it_expires()
    {
        var (key, _) = Cache(Guid.NewGuid(), revokedAt: _time.GetUtcNow(), expiresAt: _time.GetUtcNow().AddSeconds(10));

        Assert.NotNull(await _verifier.VerifyAsync(key));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Null(await _verifier.VerifyAsync(key));
    }

    private (string Key, VerifiedKey Entry) Cache(Guid workspaceId, long? generation = null,
        DateTimeOffset? revokedAt = null, DateTimeOffset? expiresAt = null)
    {
        var key = KeyFormat.Generate(KeyEnvironment.Test, KeyKind.Secret);
        var entry = new VerifiedKey
        {
            KeyId = Guid.NewGuid(),
            WorkspaceId = workspaceId,
            WorkspaceName = "W",
            WorkspaceSlug = "w",
            Environment = KeyEnvironment.Test,
            Kind = KeyKind.Secret,
            Hint = "dk_test_sk_…abcd",
            RevokedAt = revokedAt,
            ExpiresAt = expiresAt,
            LoadedAt = _time.GetTimestamp(),
        };
        _verifier.Remember(new KeyDigest(KeyFormat.ComputeDigest(key)), entry, generation ?? _verifier.Generation);
        return (key, entry);
    }

    private sealed class NoDatabase : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => throw new InvalidOperationException("database access");
    }

    private sealed class StaticOptions(ApiKeyOptions value) : IOptionsMonitor<ApiKeyOptions>
    {
        public ApiKeyOptions CurrentValue => value;

        public ApiKeyOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ApiKeyOptions, string?> listener) => null;
    }
}
