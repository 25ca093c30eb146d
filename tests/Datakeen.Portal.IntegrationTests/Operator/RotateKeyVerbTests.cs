using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Auditing;
using Datakeen.Portal.IntegrationTests.Notifications;
using Datakeen.Portal.Operator;
using Datakeen.Portal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;

namespace Datakeen.Portal.IntegrationTests.Operator;

public sealed class RotateKeyVerbTests(MailingPortalFixture portal) : IClassFixture<MailingPortalFixture>
{
    private IConfiguration Configuration => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> 
        {
            ["ConnectionStrings:Portal"] = portal.ConnectionString,
            // The portal's key ring is encrypted: the verb opens it with the same certificate.
            ["DataProtection:CertificatePath"] = TestCertificates.DataProtectionCertificatePath,
            ["DataProtection:CertificatePassword"] = TestCertificates.Password,
        })
        .Build();

    [Fact]
    public async Task The_verb_rotates_at_once_audits_the_operator_and_reason_and_mails_the_admins()
    {
        var workspace = await TestWorkspaces.CreateAsync(portal.Portal);
        var old = workspace.Key(KeyEnvironment.Production, KeyKind.Secret);
        var admin = await portal.AdminEmailAsync(workspace.Id);
        using var client = portal.ClientWith(old.Plaintext);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/api/v1/whoami")).StatusCode);
        var output = new StringWriter();

        var exitCode = await RotateKeyVerb.RunAsync(
            ["--workspace", workspace.Slug, "--environment", "production", "--kind", "secret", "--reason", "ticket 4711: customer asked"],
            Configuration, output, TextWriter.Null);

        Assert.Equal(0, exitCode);
        Assert.Contains("no longer works", output.ToString());
        Assert.DoesNotMatch(KeyPatterns.AnyKey, output.ToString());
        await using var db = await portal.DbAsync();
        var keys = await db.ApiKeys.AsNoTracking()
            .Where(k => k.WorkspaceId == workspace.Id && k.Environment == KeyEnvironment.Production && k.Kind == KeyKind.Secret).ToListAsync();
        var replacement = Assert.Single(keys, k => k.RevokedAt == null);
        Assert.Equal(replacement.Id, keys.Single(k => k.Id == old.Id).ReplacedByKeyId);
        // Support never saw the new key: the admins can still reveal it once.
        Assert.NotNull(replacement.ProtectedSecret);
        var rotated = await db.AuditEvents.AsNoTracking()
            .SingleAsync(e => e.WorkspaceId == workspace.Id && e.Action == AuditActions.KeyRotated);
        Assert.StartsWith("operator ", rotated.ActorDescription);
        Assert.Null(rotated.ActorUserId);
        Assert.Contains("ticket 4711: customer asked", rotated.Details);

        // The running portal hears of it through NOTIFY: the old key is refused there too.
        await WaitUntilRefusedAsync(client);
        var mail = await portal.Smtp.WaitForAsync(m =>
            m.To.Mailboxes.Any(x => x.Address == admin) && (m.Subject ?? "").Contains("rotated by Datakeen support"));
        Assert.Contains("ticket 4711: customer asked", mail.TextBody);
    }

    [Fact]
    public async Task Without_a_reason_the_verb_prints_the_usage_and_changes_nothing()
    {
        var workspace = await TestWorkspaces.CreateAsync(portal.Portal);
        var error = new StringWriter();

        var exitCode = await RotateKeyVerb.RunAsync(
            ["--workspace", workspace.Slug, "--environment", "test", "--kind", "secret"], Configuration, TextWriter.Null, error);

        Assert.Equal(2, exitCode);
        Assert.Contains("--reason is required", error.ToString());
        await using var db = await portal.DbAsync();
        Assert.Equal(4, await db.ApiKeys.CountAsync(k => k.WorkspaceId == workspace.Id));
    }

    [Fact]
    public async Task An_unknown_workspace_is_a_clear_error()
    {
        var error = new StringWriter();

        var exitCode = await RotateKeyVerb.RunAsync(
            ["--workspace", "no-such-workspace", "--environment", "test", "--kind", "public", "--reason", "x"],
            Configuration, TextWriter.Null, error);

        Assert.Equal(1, exitCode);
        Assert.Contains("no workspace 'no-such-workspace'", error.ToString());
    }

    private static async Task WaitUntilRefusedAsync(HttpClient client)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while ((await client.GetAsync("/api/v1/whoami")).StatusCode != System.Net.HttpStatusCode.Unauthorized)
        {
            await poll.WaitForNextTickAsync(timeout.Token);
        }
    }
}
