using BenchmarkDotNet.Attributes;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.Benchmarks;

// The hot path of every API request: parse + checksum, SHA-256 digest, warm-cache lookup.
// Target: ≤ 1 µs and ≤ 64 B allocated per verification.
[MemoryDiagnoser]
[MinColumn, MedianColumn]
public class KeyVerificationBenchmarks
{
    private ApiKeyVerifier _verifier = null!;
    private string _key = null!;
    private ReadOnlyMemory<char> _header;

    [GlobalSetup]
    public void Setup()
    {
        _key = KeyFormat.Generate(KeyEnvironment.Production, KeyKind.Secret);
        _header = ("Bearer " + _key).AsMemory(7);
        var options = new StaticOptions(new ApiKeyOptions { CacheTtl = TimeSpan.FromHours(1) });
        _verifier = new ApiKeyVerifier(new NoDatabase(), new ChangeFeed(), options, TimeProvider.System);
        Span<byte> digest = stackalloc byte[32];
        KeyFormat.ComputeDigest(_key, digest);
        _verifier.Remember(new KeyDigest(digest), new VerifiedKey
        {
            KeyId = Guid.NewGuid(),
            WorkspaceId = Guid.NewGuid(),
            WorkspaceName = "Acme",
            WorkspaceSlug = "acme",
            Environment = KeyEnvironment.Production,
            Kind = KeyKind.Secret,
            Hint = KeyDisplay.Hint(_key[..11], _key[^4..]),
            LoadedAt = TimeProvider.System.GetTimestamp(),
        }, _verifier.Generation);
    }

    [Benchmark]
    public bool Parse() => KeyFormat.TryParse(_key, out _);

    [Benchmark]
    public byte ParseAndDigest()
    {
        Span<byte> digest = stackalloc byte[32];
        KeyFormat.TryParseAndDigest(_key, digest, out _);
        return digest[0];
    }

    // Parse + digest + cache, as the synchronous part of VerifyAsync.
    [Benchmark]
    public bool WarmCacheLookup() =>
        _verifier.LookUpCached(_header.Span, out _, out var key) == ApiKeyVerifier.CacheLookup.Hit &&
        key!.IsValidAt(DateTimeOffset.UtcNow);

    // The whole VerifyAsync call as the authentication handler makes it (completes synchronously when warm).
    [Benchmark(Baseline = true)]
    public VerifiedKey? VerifyWarm() => _verifier.VerifyAsync(_header).GetAwaiter().GetResult();

    private sealed class NoDatabase : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() =>
            throw new InvalidOperationException("The warm path must not touch the database.");
    }

    private sealed class StaticOptions(ApiKeyOptions value) : IOptionsMonitor<ApiKeyOptions>
    {
        public ApiKeyOptions CurrentValue => value;

        public ApiKeyOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ApiKeyOptions, string?> listener) => null;
    }
}
