using System.Text;
using Datakeen.Portal.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.Tests.Hosting;

// Circuit state written to Redis (Hosting/CircuitHandoff.cs) goes through this cache: what the store holds is
// protected with the key ring, and only that key ring reads it back.
public sealed class ProtectedDistributedCacheTests
{
    private static readonly byte[] State = Encoding.UTF8.GetBytes("{\"rotation-dialog\":\"open\"}");
    private readonly MemoryDistributedCache _store = new(Options.Create(new MemoryDistributedCacheOptions()));

    [Fact]
    public async Task The_store_holds_the_value_protected_and_the_same_key_ring_reads_it_back()
    {
        var keyRing = new EphemeralDataProtectionProvider();
        var cache = new ProtectedDistributedCache(_store, keyRing.CreateProtector("circuits"));

        await cache.SetAsync("circuit", State, new DistributedCacheEntryOptions());

        var stored = await _store.GetAsync("circuit");
        Assert.NotNull(stored);
        Assert.DoesNotContain("rotation-dialog", Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
        Assert.Equal(State, await cache.GetAsync("circuit"));
        // Another instance with the same key ring (same provider) reads it too.
        Assert.Equal(State, new ProtectedDistributedCache(_store, keyRing.CreateProtector("circuits")).Get("circuit"));
    }

    [Fact]
    public async Task A_value_another_key_ring_wrote_or_someone_altered_reads_as_missing()
    {
        var cache = new ProtectedDistributedCache(_store, new EphemeralDataProtectionProvider().CreateProtector("circuits"));
        await new ProtectedDistributedCache(_store, new EphemeralDataProtectionProvider().CreateProtector("circuits"))
            .SetAsync("foreign", State, new DistributedCacheEntryOptions());
        await _store.SetAsync("plain", State, new DistributedCacheEntryOptions());

        Assert.Null(await cache.GetAsync("foreign"));
        Assert.Null(await cache.GetAsync("plain"));
        Assert.Null(await cache.GetAsync("absent"));
    }
}
