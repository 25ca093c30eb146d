using Datakeen.Portal.ServiceApi;

namespace Datakeen.Portal.Tests.ServiceApi;

// The handler's remembered results are found by the token JwtBearerHandler reads from the header: "Bearer " in any
// case, the rest trimmed. Anything else has no digest and goes through the full handler.
public sealed class ServiceTokenDigestTests
{
    [Theory]
    [InlineData("bearer eyJ.a.b")]
    [InlineData("BEARER eyJ.a.b")]
    [InlineData("Bearer   eyJ.a.b  ")]
    public void The_token_is_read_as_the_bearer_handler_reads_it(string header)
    {
        Assert.True(ServiceTokenResults.TryDigest("Bearer eyJ.a.b", out var expected));

        Assert.True(ServiceTokenResults.TryDigest(header, out var digest));
        Assert.Equal(expected, digest);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer ")]
    [InlineData("Bearer    ")]
    [InlineData("Basic eyJ.a.b")]
    [InlineData("Bearereyj.a.b")]
    public void A_header_without_a_bearer_token_has_no_digest(string? header) =>
        Assert.False(ServiceTokenResults.TryDigest(header, out _));

    [Fact]
    public void Tokens_differing_in_one_character_or_longer_than_the_stack_buffer_have_their_own_digests()
    {
        var longToken = new string('a', 5000);
        Assert.True(ServiceTokenResults.TryDigest("Bearer " + longToken, out var a));
        Assert.True(ServiceTokenResults.TryDigest("Bearer " + longToken[..^1] + "b", out var b));
        Assert.True(ServiceTokenResults.TryDigest("Bearer eyJ.a.b", out var c));
        Assert.True(ServiceTokenResults.TryDigest("Bearer eyJ.a.c", out var d));

        Assert.NotEqual(a, b);
        Assert.NotEqual(c, d);
    }
}
