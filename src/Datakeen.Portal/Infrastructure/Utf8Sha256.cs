using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Datakeen.Portal.Infrastructure;

// The SHA-256 of a text's UTF-8 bytes, written into the caller's span: the bytes on the stack up to 4 KB, pooled (and
// cleared) beyond, so a per-request digest of a header allocates nothing. Used for the gateway's shared secret, the
// service tokens' remembered results and the idempotency records' request hash.
internal static class Utf8Sha256
{
    private const int StackBytes = 4096;

    public static void Hash(ReadOnlySpan<char> text, Span<byte> digest)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        byte[]? rented = null;
        var utf8 = length <= StackBytes ? stackalloc byte[StackBytes] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(text, utf8)], digest);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented, clearArray: true);
            }
        }
    }
}
