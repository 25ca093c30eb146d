using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Operator;

namespace Datakeen.Portal.Tests.Operator;

public sealed class GrantCreditsVerbTests
{
    [Fact]
    public void The_arguments_name_the_workspace_environment_amount_and_reason()
    {
        Assert.True(GrantCreditsVerb.TryParse(
            ["--workspace", "acme", "--environment", "production", "--amount", "100", "--reason", "invoice 7"], out var request, out _));

        Assert.Equal(new GrantCreditsVerb.GrantRequest("acme", null, KeyEnvironment.Production, 100, "invoice 7"), request);
    }

    [Theory]
    [InlineData("--environment", "production", "--amount", "1")]
    [InlineData("--workspace", "acme", "--amount", "1")]
    [InlineData("--workspace", "acme", "--environment", "staging", "--amount", "1")]
    [InlineData("--workspace", "acme", "--environment", "test")]
    [InlineData("--workspace", "acme", "--environment", "test", "--amount", "0")]
    [InlineData("--workspace", "acme", "--environment", "test", "--amount", "-5")]
    [InlineData("--workspace", "acme", "--environment", "test", "--amount", "1.5")]
    [InlineData("--workspace", "acme", "--environment", "test", "--amount", "1000000001")]
    [InlineData("--workspace", "acme", "--environment", "test", "--amount", "1", "--force", "yes")]
    [InlineData("--workspace", "acme", "--environment", "test", "--amount")]
    [InlineData("--workspace", "acme", "--workspace", "globex", "--environment", "test", "--amount", "1")]
    public void Bad_arguments_are_refused_with_a_reason(params string[] args)
    {
        Assert.False(GrantCreditsVerb.TryParse(args, out _, out var problem));
        Assert.NotEmpty(problem);
    }
}
