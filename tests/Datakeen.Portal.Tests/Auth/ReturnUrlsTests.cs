using Datakeen.Portal.Auth;

namespace Datakeen.Portal.Tests.Auth;

public sealed class ReturnUrlsTests
{
    [Theory]
    [InlineData("/w/acme/api", "/w/acme/api")]
    [InlineData("/w/acme/api?tab=keys#test", "/w/acme/api?tab=keys#test")]
    [InlineData("/", "/")]
    [InlineData(null, "/")]
    [InlineData("", "/")]
    [InlineData("//evil.example", "/")]
    [InlineData("https://evil.example", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("\\\\evil.example", "/")]
    [InlineData("/w/\\evil", "/")]
    [InlineData("/\t/evil.example", "/")]
    [InlineData("javascript:alert(1)", "/")]
    [InlineData("w/acme/api", "/")]
    [InlineData("~/w/acme", "/")]
    public void Only_paths_on_this_site_are_kept(string? returnUrl, string expected)
    {
        Assert.Equal(expected, ReturnUrls.Sanitize(returnUrl));
    }
}
