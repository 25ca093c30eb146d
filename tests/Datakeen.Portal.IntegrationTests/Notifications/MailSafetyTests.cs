using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Notifications;
using Datakeen.Portal.Testing;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.IntegrationTests.Notifications;

// The portal cannot be made to send Datakeen-branded mail with chosen text to any address: security and credit
// mail goes only to verified addresses, at most so many per recipient and hour, and a subject carries no text
// of a user except the quoted workspace name, on one line.
public sealed class MailSafetyTests(MailingPortalFixture portal) : IClassFixture<MailingPortalFixture>
{
    [Fact]
    public async Task Security_mail_goes_only_to_admins_whose_address_the_provider_verified()
    {
        var workspace = await TestWorkspaces.CreateAsync(portal.Portal);
        var verified = await portal.AdminEmailAsync(workspace.Id);
        var unverified = await TestWorkspaces.AddMemberAsync(portal.Portal.Services, workspace.Id, WorkspaceRole.Admin);
        await using (var db = await portal.DbAsync())
        {
            await db.Users.Where(u => u.Id == unverified.UserId).ExecuteUpdateAsync(u => u.SetProperty(x => x.EmailVerified, false));
        }

        var rotation = await portal.Service<IApiKeyManager>()
            .RotateAsync(workspace.Id, workspace.Key(KeyEnvironment.Test, KeyKind.Public).Id, null, workspace.Admin);

        Assert.Equal(KeyRotationOutcome.Rotated, rotation.Outcome);
        await using var check = await portal.DbAsync();
        var recipients = await check.OutboxEmails.Where(m => m.WorkspaceId == workspace.Id).Select(m => m.RecipientUserId).ToListAsync();
        Assert.Equal([workspace.Admin.UserId], recipients);
        await portal.Smtp.WaitForAsync(m => m.To.Mailboxes.Any(a => a.Address == verified) && (m.Subject ?? "").EndsWith("Test public key rotated"));
    }

    [Fact]
    public async Task Mail_to_one_recipient_stops_at_the_hourly_limit()
    {
        var workspace = await TestWorkspaces.CreateAsync(portal.Portal);
        var mail = portal.Service<AdminMail>();
        var limit = new SmtpOptions().MaxMailsPerRecipientPerHour;

        var queued = 0;
        for (var i = 0; i < limit + 5; i++)
        {
            await using var db = await portal.DbAsync();
            queued += await mail.EnqueueAsync(db, workspace.Id, MailCategory.Security, "Test public key rotated", "body");
            await db.SaveChangesAsync();
        }

        Assert.Equal(limit, queued);
        await using var check = await portal.DbAsync();
        Assert.Equal(limit, await check.OutboxEmails.CountAsync(m => m.RecipientUserId == workspace.Admin.UserId));
    }

    [Fact]
    public async Task A_cr_lf_in_a_workspace_or_display_name_never_reaches_a_header_and_the_subject_quotes_only_the_workspace_name()
    {
        // Names as an older release stored them (the workspace form now refuses control characters; sign-in strips them).
        var workspace = await TestWorkspaces.CreateAsync(portal.Portal);
        await using (var db = await portal.DbAsync())
        {
            await db.Workspaces.Where(w => w.Id == workspace.Id)
                .ExecuteUpdateAsync(w => w.SetProperty(x => x.Name, "Acme\r\nBcc: victim@example.test"));
        }
        var admin = await portal.AdminEmailAsync(workspace.Id);
        var actor = workspace.Admin with { DisplayName = "Eve\r\nBcc: victim@example.test\u202E" };

        var rotation = await portal.Service<IApiKeyManager>()
            .RotateAsync(workspace.Id, workspace.Key(KeyEnvironment.Production, KeyKind.Public).Id, null, actor);

        Assert.Equal(KeyRotationOutcome.Rotated, rotation.Outcome);
        var message = await portal.Smtp.WaitForAsync(m => m.To.Mailboxes.Any(a => a.Address == admin) &&
                                                          (m.Subject ?? "").EndsWith("Production public key rotated"));
        Assert.Equal("[Datakeen] \"Acme Bcc: victim@example.test\": Production public key rotated", message.Subject);
        Assert.Empty(message.Bcc);
        Assert.Empty(message.Cc);
        Assert.Equal([admin], message.To.Mailboxes.Select(m => m.Address));
        Assert.Contains("Who:   Eve Bcc: victim@example.test\n", message.TextBody!.ReplaceLineEndings("\n"));
        Assert.DoesNotContain(message.Headers, h => h.Field.StartsWith("Bcc", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Two_senders_racing_over_the_same_outbox_deliver_each_mail_once()
    {
        var workspace = await TestWorkspaces.CreateAsync(portal.Portal);
        var mail = portal.Service<AdminMail>();
        await using (var db = await portal.DbAsync())
        {
            for (var i = 0; i < 10; i++)
            {
                await mail.EnqueueAsync(db, workspace.Id, MailCategory.Security, "Test public key rotated", $"race {i}");
            }
            await db.SaveChangesAsync();
        }

        // Two more senders besides the portal's own, as two more instances would run them.
        var first = ActivatorUtilities.CreateInstance<OutboxSender>(portal.Portal.Services);
        var second = ActivatorUtilities.CreateInstance<OutboxSender>(portal.Portal.Services);
        await Task.WhenAll(first.SendDueAsync(CancellationToken.None), second.SendDueAsync(CancellationToken.None));
        await using var check = await portal.DbAsync();
        var ids = await check.OutboxEmails.Where(m => m.WorkspaceId == workspace.Id).Select(m => m.Id).ToListAsync();
        foreach (var id in ids)
        {
            await portal.Smtp.WaitForAsync(m => m.MessageId == $"{id:N}@datakeen-portal");
        }

        Assert.Equal(10, ids.Count);
        foreach (var id in ids)
        {
            Assert.Single(portal.Smtp.Received, m => m.MessageId == $"{id:N}@datakeen-portal");
        }
    }
}
