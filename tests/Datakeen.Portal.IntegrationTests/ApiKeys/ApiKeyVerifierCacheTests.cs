using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Datakeen.Portal.Testing;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Datakeen.Portal.IntegrationTests.ApiKeys;

// The cache rules of the verifier, observed from outside: the test's own database interceptor counts the
// key lookups that reach PostgreSQL (and can hold one), so no counter or hook is needed in the verifier.
public sealed class ApiKeyVerifierCacheTests(PortalDatabaseFixture database) : IClassFixture<PortalDatabaseFixture>
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly ChangeFeed _feed = new();
    private readonly KeyLookupCounter _lookups = new();

    private ApiKeyVerifier CreateVerifier() =>
        new(new Contexts(database.ConnectionString, _lookups), _feed,
            new OptionsMonitorOf<ApiKeyOptions>(new ApiKeyOptions { CacheTtl = TimeSpan.FromSeconds(30) }), _time);

    [Fact]
    public async Task A_malformed_key_is_refused_without_touching_the_database()
    {
        var verifier = CreateVerifier();
        var key = KeyFormat.Generate(KeyEnvironment.Test, KeyKind.Secret);

        Assert.Null(await verifier.VerifyAsync(key[..^1] + (key[^1] == '0' ? '1' : '0')));
        Assert.Null(await verifier.VerifyAsync("not a key"));
        Assert.Null(await verifier.VerifyAsync(""));
        Assert.Equal(0, _lookups.Count);
    }

    [Fact]
    public async Task A_known_key_is_read_once_then_verified_from_the_cache()
    {
        var verifier = CreateVerifier();
        var (key, workspaceId) = await StoreKeyAsync();

        var first = await verifier.VerifyAsync(key);
        var second = await verifier.VerifyAsync(key);

        Assert.Equal(workspaceId, first?.WorkspaceId);
        Assert.Same(first, second);
        Assert.Equal(1, _lookups.Count);
    }

    [Fact]
    public async Task A_key_notification_for_its_workspace_evicts_it_and_other_workspaces_stay()
    {
        var verifier = CreateVerifier();
        var (key, workspaceId) = await StoreKeyAsync();
        var (other, _) = await StoreKeyAsync();
        await verifier.VerifyAsync(key);
        await verifier.VerifyAsync(other);

        Assert.Equal(2, _lookups.Count);

        _feed.Publish(ChangeFeed.KeyChannel, ChangePayload.For(workspaceId, Guid.NewGuid().ToString()));

        // The notified workspace's key is read again; the other workspace's key still answers from the cache.
        Assert.NotNull(await verifier.VerifyAsync(other));
        Assert.Equal(2, _lookups.Count);
        Assert.NotNull(await verifier.VerifyAsync(key));
        Assert.Equal(3, _lookups.Count);
    }

    [Fact]
    public async Task A_credit_notification_does_not_evict_keys()
    {
        var verifier = CreateVerifier();
        var (key, workspaceId) = await StoreKeyAsync();
        await verifier.VerifyAsync(key);

        _feed.Publish(ChangeFeed.CreditChannel, ChangePayload.For(workspaceId));
        await verifier.VerifyAsync(key);

        Assert.Equal(1, _lookups.Count);
    }

    [Fact]
    public async Task A_reconnection_of_the_change_feed_flushes_everything()
    {
        var verifier = CreateVerifier();
        var (key, _) = await StoreKeyAsync();
        var (other, _) = await StoreKeyAsync();
        await verifier.VerifyAsync(key);
        await verifier.VerifyAsync(other);

        _feed.RaiseReconnected();
        await verifier.VerifyAsync(key);
        await verifier.VerifyAsync(other);

        Assert.Equal(4, _lookups.Count);
    }

    [Fact]
    public async Task An_entry_older_than_the_ttl_is_read_again()
    {
        var verifier = CreateVerifier();
        var (key, _) = await StoreKeyAsync();
        await verifier.VerifyAsync(key);

        _time.Advance(TimeSpan.FromSeconds(31));
        await verifier.VerifyAsync(key);

        Assert.Equal(2, _lookups.Count);
    }

    [Fact]
    public async Task A_read_that_started_before_an_invalidation_is_not_cached()
    {
        var verifier = CreateVerifier();
        var (key, workspaceId) = await StoreKeyAsync();
        var release = _lookups.HoldNext();

        var inFlight = verifier.VerifyAsync(key).AsTask();
        await _lookups.Held;
        verifier.EvictWorkspace(workspaceId);
        release.SetResult();

        // The answer read before the eviction is still the answer to that request, but it is not kept.
        Assert.NotNull(await inFlight);
        await verifier.VerifyAsync(key);
        Assert.Equal(2, _lookups.Count);
    }

    [Fact]
    public async Task A_replaced_key_in_its_grace_period_verifies_until_it_expires()
    {
        var verifier = CreateVerifier();
        var (key, _) = await StoreKeyAsync(revokedAt: _time.GetUtcNow(), expiresAt: _time.GetUtcNow().AddSeconds(10));

        Assert.NotNull(await verifier.VerifyAsync(key));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Null(await verifier.VerifyAsync(key));
    }

    private async Task<(string Key, Guid WorkspaceId)> StoreKeyAsync(DateTimeOffset? revokedAt = null,
        DateTimeOffset? expiresAt = null)
    {
        var key = KeyFormat.Generate(KeyEnvironment.Test, KeyKind.Secret);
        var workspace = new Workspace { Id = Guid.NewGuid(), Name = "Cache", Slug = $"cache-{Guid.NewGuid():N}"[..24] };
        await using var db = database.CreateDbContext();
        db.Workspaces.Add(workspace);
        db.ApiKeys.Add(new ApiKey
        {
            Id = Guid.NewGuid(),
            WorkspaceId = workspace.Id,
            Environment = KeyEnvironment.Test,
            Kind = KeyKind.Secret,
            Digest = KeyFormat.ComputeDigest(key),
            Prefix = key[..KeyFormat.PrefixLength],
            LastFour = KeyDisplay.LastFourOf(key),
            CreatedAt = _time.GetUtcNow(),
            RevokedAt = revokedAt,
            ExpiresAt = expiresAt,
        });
        await db.SaveChangesAsync();
        return (key, workspace.Id);
    }

    private sealed class Contexts(string connectionString, KeyLookupCounter lookups) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() =>
            new(new DbContextOptionsBuilder<PortalDbContext>()
                .UseNpgsql(connectionString)
                .UseSnakeCaseNamingConvention()
                .AddInterceptors(lookups)
                .Options);
    }

}
