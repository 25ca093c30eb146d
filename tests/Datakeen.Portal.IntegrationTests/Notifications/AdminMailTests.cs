using System.Net;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.IntegrationTests.Credits;
using Datakeen.Portal.Notifications;
using Datakeen.Portal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.IntegrationTests.Notifications;

public sealed class AdminMailTests(MailingPortalFixture portal) : IClassFixture<MailingPortalFixture>
{
    [Fact]
    public async Task Exactly_one_low_credit_mail_goes_out_when_the_15th_credit_is_consumed()
    {
        var workspace = await TestWorkspaces.CreateAsync(portal.Portal);
        var admin = await portal.AdminEmailAsync(workspace.Id);
        using var client = portal.ClientWith(workspace.TestSecretKey);

        for (var i = 1; i <= 14; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(CreditPortalFixture.Consume(1))).StatusCode);
        }

        Assert.Equal(0, await QueuedAsync(workspace.Id, "Test credits low"));
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(CreditPortalFixture.Consume(1))).StatusCode);
        Assert.Equal(1, await QueuedAsync(workspace.Id, "Test credits low"));
        var low = await portal.Smtp.WaitForAsync(m => IsTo(m, admin) && Subject(m).EndsWith("Test credits low", StringComparison.Ordinal));
        Assert.Contains("5 free test credits left", low.TextBody);

        for (var i = 16; i <= 20; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(CreditPortalFixture.Consume(1))).StatusCode);
        }

        Assert.Equal(HttpStatusCode.PaymentRequired, (await client.SendAsync(CreditPortalFixture.Consume(1))).StatusCode);
        await portal.Smtp.WaitForAsync(m => IsTo(m, admin) && Subject(m).EndsWith("Test credits exhausted", StringComparison.Ordinal));
        Assert.Single(portal.Smtp.To(admin), m => Subject(m).EndsWith("Test credits low", StringComparison.Ordinal));
        Assert.Single(portal.Smtp.To(admin), m => Subject(m).EndsWith("Test credits exhausted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Parallel_debits_across_the_threshold_queue_one_low_credit_mail()
    {
        var workspace = await TestWorkspaces.CreateAsync(portal.Portal);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 17).Select(async _ =>
        {
            using var client = portal.ClientWith(workspace.TestSecretKey);
            return (await client.SendAsync(CreditPortalFixture.Consume(1))).StatusCode;
        }));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Created, s));
        Assert.Equal(1, await QueuedAsync(workspace.Id, "Test credits low"));
        Assert.Equal(0, await QueuedAsync(workspace.Id, "Test credits exhausted"));
    }

    [Fact]
    public async Task An_admin_who_muted_notices_gets_security_mail_but_no_credit_notice()
    {
        var workspace = await TestWorkspaces.CreateAsync(portal.Portal);
        var preferences = portal.Service<MailPreferences>();
        await preferences.SetNoticesMutedAsync(workspace.Admin, true);
        Assert.True(await preferences.IsNoticesMutedAsync(workspace.Admin));
        using var client = portal.ClientWith(workspace.TestSecretKey);

        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(CreditPortalFixture.Consume(15))).StatusCode);
        var rotation = await portal.Service<IApiKeyManager>()
            .RotateAsync(workspace.Id, workspace.Key(KeyEnvironment.Test, KeyKind.Public).Id, null, workspace.Admin);

        Assert.Equal(KeyRotationOutcome.Rotated, rotation.Outcome);
        Assert.Equal(0, await QueuedAsync(workspace.Id, "Test credits low"));
        Assert.Equal(1, await QueuedAsync(workspace.Id, "rotated"));
    }

    [Fact]
    public async Task A_rotation_mails_the_admins_who_when_and_from_which_address()
    {
        var workspace = await TestWorkspaces.CreateAsync(portal.Portal);
        var admin = await portal.AdminEmailAsync(workspace.Id);

        var rotation = await portal.Service<IApiKeyManager>()
            .RotateAsync(workspace.Id, workspace.Key(KeyEnvironment.Production, KeyKind.Secret).Id, null, workspace.Admin);

        Assert.Equal(KeyRotationOutcome.Rotated, rotation.Outcome);
        var mail = await portal.Smtp.WaitForAsync(m => IsTo(m, admin) && Subject(m).Contains("Production secret key rotated"));
        Assert.Contains($"Who:   {workspace.Admin.DisplayName}", mail.TextBody);
        Assert.Contains($"From:  {workspace.Admin.IpAddress}", mail.TextBody);
        Assert.Contains("When:  ", mail.TextBody);
        Assert.DoesNotMatch(KeyPatterns.AnyKey, mail.TextBody);
    }

    [Fact]
    public async Task Revealing_a_production_secret_mails_the_admins()
    {
        var workspace = await TestWorkspaces.CreateAsync(portal.Portal);
        var admin = await portal.AdminEmailAsync(workspace.Id);

        var reveal = await portal.Service<IApiKeyManager>().GetPlaintextAsync(workspace.Id,
            workspace.Key(KeyEnvironment.Production, KeyKind.Secret).Id, KeyAccessPurpose.Reveal, workspace.Admin);

        Assert.Equal(KeyAccessOutcome.Ok, reveal.Outcome);
        var mail = await portal.Smtp.WaitForAsync(m => IsTo(m, admin) && Subject(m).Contains("Production secret key revealed"));
        Assert.Contains($"From:  {workspace.Admin.IpAddress}", mail.TextBody);
        Assert.DoesNotContain(reveal.Plaintext!, mail.TextBody);
    }

    [Fact]
    public async Task Mail_queued_during_an_smtp_outage_arrives_after_it_returns()
    {
        // A portal of its own (own database, own SMTP server), so no other sender shares its outbox.
        var database = new PortalDatabaseFixture();
        await database.InitializeAsync();
        try
        {
            await using var smtp = TestSmtpServer.Start();
            await using var mailing = new PortalFactory(database.ConnectionString, new Dictionary<string, string?>(smtp.PortalSettings()));
            var workspace = await TestWorkspaces.CreateAsync(mailing);
            await using var db = database.CreateDbContext();
            var admin = await db.Memberships.Where(m => m.WorkspaceId == workspace.Id).Select(m => m.User!.Email!).SingleAsync();
            await smtp.StopAsync();

            var rotation = await mailing.Services.GetRequiredService<IApiKeyManager>()
                .RotateAsync(workspace.Id, workspace.Key(KeyEnvironment.Test, KeyKind.Secret).Id, null, workspace.Admin);
            Assert.Equal(KeyRotationOutcome.Rotated, rotation.Outcome);
            await WaitUntilAsync(() => db.OutboxEmails.AnyAsync(m => m.WorkspaceId == workspace.Id && m.Attempts >= 2 && m.LastError != null));
            Assert.Empty(smtp.Received);

            smtp.Resume();

            await smtp.WaitForAsync(m => IsTo(m, admin) && Subject(m).Contains("Test secret key rotated"));
            Assert.Single(smtp.Received);
            await WaitUntilAsync(() => db.OutboxEmails.AnyAsync(m => m.WorkspaceId == workspace.Id && m.SentAt != null));
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    private async Task<int> QueuedAsync(Guid workspaceId, string subjectEnd)
    {
        await using var db = await portal.DbAsync();
        return await db.OutboxEmails.CountAsync(m => m.WorkspaceId == workspaceId && m.Subject.EndsWith(subjectEnd));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (!await condition())
        {
            await poll.WaitForNextTickAsync(timeout.Token);
        }
    }

    private static bool IsTo(MimeKit.MimeMessage message, string address) =>
        message.To.Mailboxes.Any(m => string.Equals(m.Address, address, StringComparison.OrdinalIgnoreCase));

    private static string Subject(MimeKit.MimeMessage message) => message.Subject ?? "";
}
