using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Datakeen.Portal.ApiKeys;

namespace Datakeen.Portal.Benchmarks;

// Where the digest time goes: the one-shot API (a fresh OpenSSL context per call) against a reused
// per-thread IncrementalHash.
[MemoryDiagnoser]
[MinColumn, MedianColumn]
public class Sha256Benchmarks
{
    [ThreadStatic]
    private static IncrementalHash? _incremental;

    private readonly byte[] _ascii = Encoding.ASCII.GetBytes(KeyFormat.Generate(KeyEnvironment.Production, KeyKind.Secret));

    [Benchmark(Baseline = true)]
    public byte OneShot()
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(_ascii, digest);
        return digest[0];
    }

    [Benchmark]
    public byte ReusedIncremental()
    {
        Span<byte> digest = stackalloc byte[32];
        var hash = _incremental ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(_ascii);
        hash.GetHashAndReset(digest);
        return digest[0];
    }
}
