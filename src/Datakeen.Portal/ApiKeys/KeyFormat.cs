using System.Buffers;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;

namespace Datakeen.Portal.ApiKeys;

// The key format (docs/architecture.md, "Keys"): dk_{live|test}_{pk|sk}_{32 base62 body}{6 base62 CRC-32 check}.
// Parsing never throws and never allocates: it runs on every API request, before any cache or database access.
public static class KeyFormat
{
    public const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    public const int BodyLength = 32;
    public const int CheckLength = 6;
    public const int PrefixLength = 11; // "dk_test_sk_" and "dk_live_sk_" have the same length
    public const int Length = PrefixLength + BodyLength + CheckLength;

    private static readonly SearchValues<char> Base62 = SearchValues.Create(Alphabet);

    // OpenSSL 3 spends longer setting up a one-shot digest than hashing 49 bytes (measured: ~760 ns one-shot vs
    // ~520 ns reused, see docs/benchmarks.md), so each thread keeps one SHA-256 context. Never shared across threads.
    [ThreadStatic]
    private static IncrementalHash? _sha256;

    public static string Generate(KeyEnvironment environment, KeyKind kind)
    {
        Span<char> key = stackalloc char[Length];
        PrefixFor(environment, kind).CopyTo(key);
        RandomNumberGenerator.GetItems(Alphabet.AsSpan(), key.Slice(PrefixLength, BodyLength));
        Span<byte> ascii = stackalloc byte[PrefixLength + BodyLength];
        Encoding.ASCII.GetBytes(key[..(PrefixLength + BodyLength)], ascii);
        WriteCheck(ascii, key[(PrefixLength + BodyLength)..]);
        return new string(key);
    }

    public static string PrefixFor(KeyEnvironment environment, KeyKind kind) => (environment, kind) switch
    {
        (KeyEnvironment.Test, KeyKind.Public) => "dk_test_pk_",
        (KeyEnvironment.Test, KeyKind.Secret) => "dk_test_sk_",
        (KeyEnvironment.Production, KeyKind.Public) => "dk_live_pk_",
        (KeyEnvironment.Production, KeyKind.Secret) => "dk_live_sk_",
        _ => throw new ArgumentOutOfRangeException(nameof(environment)),
    };

    public static bool TryParse(ReadOnlySpan<char> value, out ParsedKey key)
    {
        Span<byte> ascii = stackalloc byte[Length];
        return TryParse(value, ascii, out key);
    }

    // Parses and, when the key is valid, writes its SHA-256 digest: the verification hot path, which
    // encodes the key to ASCII once for both the checksum and the digest.
    public static bool TryParseAndDigest(ReadOnlySpan<char> value, Span<byte> digest, out ParsedKey key)
    {
        Span<byte> ascii = stackalloc byte[Length];
        if (!TryParse(value, ascii, out key))
        {
            return false;
        }

        HashKey(ascii, digest);
        return true;
    }

    // SHA-256 of the key's ASCII bytes: the only thing stored that identifies it. The value must already have
    // passed TryParse (so it is 49 ASCII characters).
    public static void ComputeDigest(ReadOnlySpan<char> key, Span<byte> digest)
    {
        Span<byte> ascii = stackalloc byte[Length];
        var written = Encoding.ASCII.GetBytes(key, ascii);
        HashKey(ascii[..written], digest);
    }

    public static byte[] ComputeDigest(string key)
    {
        var digest = new byte[SHA256.HashSizeInBytes];
        ComputeDigest(key.AsSpan(), digest);
        return digest;
    }

    private static bool TryParse(ReadOnlySpan<char> value, Span<byte> ascii, out ParsedKey key)
    {
        key = default;
        if (value.Length != Length || !value.StartsWith("dk_", StringComparison.Ordinal) || value[7] != '_' || value[10] != '_'
            || value[PrefixLength..].ContainsAnyExcept(Base62))
        {
            return false;
        }

        KeyEnvironment environment;
        if (value.Slice(3, 4).SequenceEqual("test"))
        {
            environment = KeyEnvironment.Test;
        }
        else if (value.Slice(3, 4).SequenceEqual("live"))
        {
            environment = KeyEnvironment.Production;
        }
        else
        {
            return false;
        }

        KeyKind kind;
        if (value.Slice(8, 2).SequenceEqual("pk"))
        {
            kind = KeyKind.Public;
        }
        else if (value.Slice(8, 2).SequenceEqual("sk"))
        {
            kind = KeyKind.Secret;
        }
        else
        {
            return false;
        }

        // Every character is ASCII by now, so this cannot fail.
        Encoding.ASCII.GetBytes(value, ascii);
        Span<char> expected = stackalloc char[CheckLength];
        WriteCheck(ascii[..(PrefixLength + BodyLength)], expected);
        if (!expected.SequenceEqual(value[(PrefixLength + BodyLength)..]))
        {
            return false;
        }

        key = new ParsedKey(environment, kind);
        return true;
    }

    private static void HashKey(ReadOnlySpan<byte> ascii, Span<byte> digest)
    {
        var sha256 = _sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha256.AppendData(ascii);
        sha256.GetHashAndReset(digest);
    }

    // Crc32 is the IEEE 802.3 CRC; its numeric value is what gets written, most significant digit first.
    private static void WriteCheck(ReadOnlySpan<byte> payload, Span<char> check)
    {
        var crc = Crc32.HashToUInt32(payload);
        for (var i = CheckLength - 1; i >= 0; i--)
        {
            check[i] = Alphabet[(int)(crc % 62)];
            crc /= 62;
        }
    }
}

public readonly record struct ParsedKey(KeyEnvironment Environment, KeyKind Kind);
