using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Datakeen.Portal.ApiKeys;

// A SHA-256 digest as a value type, so a cache lookup by digest allocates nothing.
public readonly struct KeyDigest : IEquatable<KeyDigest>
{
    private readonly ulong _a;
    private readonly ulong _b;
    private readonly ulong _c;
    private readonly ulong _d;

    public KeyDigest(ReadOnlySpan<byte> digest)
    {
        if (digest.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException("A key digest is 32 bytes.", nameof(digest));
        }

        _a = MemoryMarshal.Read<ulong>(digest);
        _b = MemoryMarshal.Read<ulong>(digest[8..]);
        _c = MemoryMarshal.Read<ulong>(digest[16..]);
        _d = MemoryMarshal.Read<ulong>(digest[24..]);
    }

    // Constant time, like CryptographicOperations.FixedTimeEquals: no early exit on the first difference.
    public bool Equals(KeyDigest other) =>
        ((_a ^ other._a) | (_b ^ other._b) | (_c ^ other._c) | (_d ^ other._d)) == 0;

    public override bool Equals(object? obj) => obj is KeyDigest other && Equals(other);

    // The digest is uniformly random already.
    public override int GetHashCode() => (int)_a;

    public byte[] ToArray()
    {
        var bytes = new byte[SHA256.HashSizeInBytes];
        MemoryMarshal.Write(bytes, in _a);
        MemoryMarshal.Write(bytes.AsSpan(8), in _b);
        MemoryMarshal.Write(bytes.AsSpan(16), in _c);
        MemoryMarshal.Write(bytes.AsSpan(24), in _d);
        return bytes;
    }
}
