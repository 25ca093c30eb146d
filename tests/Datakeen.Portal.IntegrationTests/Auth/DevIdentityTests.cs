using Datakeen.Portal.DevIdentity;

namespace Datakeen.Portal.IntegrationTests.Auth;

public sealed class DevIdentityTests
{
    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    [InlineData("Testing")]
    public void The_development_provider_refuses_to_start_outside_development(string environment)
    {
        var error = Assert.Throws<DevelopmentOnlyException>(() => DevIdentityProgram.CreateApp([$"--environment={environment}"]));

        Assert.Contains("development-only", error.Message);
        Assert.Contains(environment, error.Message);
    }

    [Theory]
    [InlineData("http://localhost:5080/signin-oidc", true)]
    [InlineData("http://127.0.0.1:43117/signin-oidc", true)]
    [InlineData("http://localhost:5080/signout-callback-oidc", false)]
    [InlineData("https://evil.example/signin-oidc", false)]
    [InlineData("http://localhost.evil.example/signin-oidc", false)]
    [InlineData("http://user@localhost:5080/signin-oidc", false)]
    [InlineData("http://localhost:5080/signin-oidc?next=https://evil.example", false)]
    [InlineData("not a uri", false)]
    public void Only_the_portal_callback_on_a_loopback_host_is_accepted(string redirectUri, bool allowed)
    {
        Assert.Equal(allowed, RedirectUriPolicy.IsAllowed(redirectUri, [], allowAnyLoopbackPort: true,
            RedirectUriPolicy.SignInCallbackPath));
    }
}
