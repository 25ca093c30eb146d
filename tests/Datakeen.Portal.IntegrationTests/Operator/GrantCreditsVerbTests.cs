using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.IntegrationTests.Credits;
using Datakeen.Portal.Operator;
using Datakeen.Portal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;

namespace Datakeen.Portal.IntegrationTests.Operator;

public sealed class GrantCreditsVerbTests(PortalDatabaseFixture database) : CreditDatabaseTests(database)
{
    private readonly IConfiguration _configuration = new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Portal"] = database.ConnectionString,
            // A verb runs on the portal's own composition, encrypted key ring included.
            ["DataProtection:CertificatePath"] = TestCertificates.DataProtectionCertificatePath,
            ["DataProtection:CertificatePassword"] = TestCertificates.Password,
        })
        .Build();

    [Fact]
    public async Task The_verb_grants_production_credits_and_prints_the_new_balance()
    {
        var workspaceId = await Data.CreateWorkspaceAsync();
        await using var db = await Data.Contexts.CreateDbContextAsync();
        var slug = await db.Workspaces.Where(w => w.Id == workspaceId).Select(w => w.Slug).SingleAsync();
        var output = new StringWriter();

        var exitCode = await GrantCreditsVerb.RunAsync(
            ["--workspace", slug, "--environment", "production", "--amount", "100", "--reason", "invoice 7"],
            _configuration, output, TextWriter.Null);

        Assert.Equal(0, exitCode);
        Assert.Contains("New production balance: 100.", output.ToString());
        Assert.Equal(100, await Data.BalanceAsync(workspaceId, KeyEnvironment.Production));
        var grant = Assert.Single(await Data.EntriesAsync(workspaceId, KeyEnvironment.Production));
        Assert.Contains("invoice 7", grant.ActorDescription);
        Assert.Equal(20, await Data.BalanceAsync(workspaceId, KeyEnvironment.Test));
    }

    [Fact]
    public async Task The_verb_accepts_a_workspace_id()
    {
        var workspaceId = await Data.CreateWorkspaceAsync();

        var exitCode = await GrantCreditsVerb.RunAsync(
            ["--workspace", workspaceId.ToString(), "--environment", "test", "--amount", "5"], _configuration, TextWriter.Null, TextWriter.Null);

        Assert.Equal(0, exitCode);
        Assert.Equal(25, await Data.BalanceAsync(workspaceId, KeyEnvironment.Test));
    }

    [Fact]
    public async Task An_unknown_workspace_is_a_clear_error_and_a_non_zero_exit()
    {
        var error = new StringWriter();

        var exitCode = await GrantCreditsVerb.RunAsync(
            ["--workspace", "no-such-workspace", "--environment", "production", "--amount", "1"], _configuration, TextWriter.Null, error);

        Assert.Equal(1, exitCode);
        Assert.Contains("no workspace 'no-such-workspace'", error.ToString());
    }

    [Fact]
    public async Task Bad_arguments_print_the_usage_and_exit_with_2()
    {
        var error = new StringWriter();

        var exitCode = await GrantCreditsVerb.RunAsync(["--workspace", "acme", "--amount", "0"], _configuration, TextWriter.Null, error);

        Assert.Equal(2, exitCode);
        Assert.Contains("usage: grant-credits", error.ToString());
    }
}
