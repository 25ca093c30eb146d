using System.Security.Cryptography;
using System.Text;
using Datakeen.Portal.Credits;

namespace Datakeen.Portal.Tests.Credits;

public sealed class IdempotencyHashTests
{
    // Records stored by earlier versions keep their hashes: the canonical form must not change.
    [Theory]
    [InlineData("POST", "/api/v1/credits/consume", "test", 1, null)]
    [InlineData("POST", "/api/v1/credits/consume", "production", 100, "")]
    [InlineData("POST", "/api/v1/keys/verify", "test", 7, "document 7 · é ✓ 😀")]
    public void The_request_hash_is_sha256_of_the_length_prefixed_canonical_form(string method, string path, string environment,
        int amount, string? reference)
    {
        var canonical = new StringBuilder();
        foreach (var part in new[] { method, path, environment, amount.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            canonical.Append(part.Length).Append(':').Append(part).Append('\n');
        }

        canonical.Append(reference is null ? "-" : $"{reference.Length}:{reference}");

        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())),
            IdempotencyStore.HashRequest(method, path, environment, amount, reference));
    }

    [Fact]
    public void A_long_reference_is_hashed_whole()
    {
        var reference = new string('r', 5000);

        Assert.NotEqual(IdempotencyStore.HashRequest("POST", "/p", "test", 1, reference),
            IdempotencyStore.HashRequest("POST", "/p", "test", 1, reference[..4999] + "s"));
    }
}
