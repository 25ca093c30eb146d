using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Auditing;
using Datakeen.Portal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.IntegrationTests.ApiKeys;

public sealed class KeyRevealTests(PortalHost host) : IClassFixture<PortalHost>
{
    private IApiKeyManager Manager => host.Portal.Services.GetRequiredService<IApiKeyManager>();

    [Fact]
    public async Task A_secret_protected_by_one_instance_is_revealed_by_another_through_the_shared_key_ring()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        var key = workspace.Key(KeyEnvironment.Test, KeyKind.Secret);
        // A second instance on the same database: its own Data Protection services, the key ring read from PostgreSQL.
        await using var other = new PortalFactory(host.ConnectionString);

        var revealed = await other.Services.GetRequiredService<IApiKeyManager>()
            .GetPlaintextAsync(workspace.Id, key.Id, KeyAccessPurpose.Reveal, workspace.Admin);

        Assert.Equal(KeyAccessOutcome.Ok, revealed.Outcome);
        Assert.Equal(key.Plaintext, revealed.Plaintext);
    }

    [Fact]
    public async Task A_production_secret_is_revealed_once_then_only_its_hash_is_left()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        var key = workspace.Key(KeyEnvironment.Production, KeyKind.Secret);

        var first = await Manager.GetPlaintextAsync(workspace.Id, key.Id, KeyAccessPurpose.Reveal, workspace.Admin);
        var second = await Manager.GetPlaintextAsync(workspace.Id, key.Id, KeyAccessPurpose.Copy, workspace.Admin);

        Assert.Equal(KeyAccessOutcome.Ok, first.Outcome);
        Assert.Equal(key.Plaintext, first.Plaintext);
        Assert.Equal(KeyAccessOutcome.NoLongerRevealable, second.Outcome);
        Assert.Null(second.Plaintext);
        Assert.Contains("Rotate", second.Message);
        await using var db = host.CreateDbContext();
        var stored = await db.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == key.Id);
        Assert.Null(stored.ProtectedSecret);
        Assert.NotNull(stored.FirstRevealedAt);
        var view = Assert.Single(await Manager.ListAsync(workspace.Id, workspace.Admin), k => k.Id == key.Id);
        Assert.False(view.CanRevealPlaintext);
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.WorkspaceId == workspace.Id && e.Action == AuditActions.KeyRevealed));
    }

    [Fact]
    public async Task Parallel_first_reveals_of_a_production_secret_have_a_single_winner()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        var key = workspace.Key(KeyEnvironment.Production, KeyKind.Secret);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            Manager.GetPlaintextAsync(workspace.Id, key.Id, i % 2 == 0 ? KeyAccessPurpose.Reveal : KeyAccessPurpose.Copy, workspace.Admin))));

        Assert.Equal(key.Plaintext, Assert.Single(results, r => r.Outcome == KeyAccessOutcome.Ok).Plaintext);
        Assert.Equal(19, results.Count(r => r.Outcome == KeyAccessOutcome.NoLongerRevealable));
    }

    [Fact]
    public async Task A_test_secret_can_be_revealed_and_copied_repeatedly()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        var key = workspace.Key(KeyEnvironment.Test, KeyKind.Secret);

        for (var i = 0; i < 3; i++)
        {
            var reveal = await Manager.GetPlaintextAsync(workspace.Id, key.Id, KeyAccessPurpose.Reveal, workspace.Admin);
            var copy = await Manager.GetPlaintextAsync(workspace.Id, key.Id, KeyAccessPurpose.Copy, workspace.Admin);
            Assert.Equal(key.Plaintext, reveal.Plaintext);
            Assert.Equal(key.Plaintext, copy.Plaintext);
        }

        await using var db = host.CreateDbContext();
        Assert.NotNull((await db.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == key.Id)).ProtectedSecret);
        Assert.Equal(3, await db.AuditEvents.CountAsync(e => e.WorkspaceId == workspace.Id && e.Action == AuditActions.KeyRevealed));
        Assert.Equal(3, await db.AuditEvents.CountAsync(e => e.WorkspaceId == workspace.Id && e.Action == AuditActions.KeyCopied));
    }

    [Fact]
    public async Task The_secret_is_stored_only_as_data_protection_ciphertext_and_public_keys_in_clear()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);

        await using var db = host.CreateDbContext();
        var keys = await db.ApiKeys.AsNoTracking().Where(k => k.WorkspaceId == workspace.Id).ToListAsync();
        Assert.Equal(4, keys.Count);
        foreach (var key in keys)
        {
            var plaintext = workspace.Keys.Single(k => k.Id == key.Id).Plaintext;
            Assert.Equal(KeyFormat.ComputeDigest(plaintext), key.Digest);
            Assert.Equal(plaintext[..11], key.Prefix);
            Assert.Equal(plaintext[^4..], key.LastFour);
            if (key.Kind == KeyKind.Public)
            {
                Assert.Equal(plaintext, key.PublicValue);
                Assert.Null(key.ProtectedSecret);
            }
            else
            {
                Assert.Null(key.PublicValue);
                Assert.NotNull(key.ProtectedSecret);
                Assert.DoesNotContain(plaintext, key.ProtectedSecret);
                Assert.DoesNotContain(plaintext[11..], key.ProtectedSecret);
            }
        }
    }

    [Fact]
    public async Task The_reveal_policy_comes_from_configuration()
    {
        await using var portal = new PortalFactory(host.ConnectionString, new Dictionary<string, string?>
        {
            ["ApiKeys:RevealPolicy:Test"] = "Never",
            ["ApiKeys:RevealPolicy:Production"] = "Always",
        });
        var workspace = await TestWorkspaces.CreateAsync(portal);
        var manager = portal.Services.GetRequiredService<IApiKeyManager>();
        var test = workspace.Key(KeyEnvironment.Test, KeyKind.Secret);
        var live = workspace.Key(KeyEnvironment.Production, KeyKind.Secret);

        var testReveal = await manager.GetPlaintextAsync(workspace.Id, test.Id, KeyAccessPurpose.Reveal, workspace.Admin);
        var liveFirst = await manager.GetPlaintextAsync(workspace.Id, live.Id, KeyAccessPurpose.Reveal, workspace.Admin);
        var liveSecond = await manager.GetPlaintextAsync(workspace.Id, live.Id, KeyAccessPurpose.Reveal, workspace.Admin);

        Assert.Equal(KeyAccessOutcome.NoLongerRevealable, testReveal.Outcome);
        Assert.Equal(live.Plaintext, liveFirst.Plaintext);
        Assert.Equal(live.Plaintext, liveSecond.Plaintext);
        await using var db = host.CreateDbContext();
        Assert.Null((await db.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == test.Id)).ProtectedSecret);
    }

    [Theory]
    [InlineData(KeyEnvironment.Test, KeyAccessPurpose.Reveal)]
    [InlineData(KeyEnvironment.Test, KeyAccessPurpose.Copy)]
    [InlineData(KeyEnvironment.Production, KeyAccessPurpose.Reveal)]
    [InlineData(KeyEnvironment.Production, KeyAccessPurpose.Copy)]
    public async Task A_member_is_refused_a_secret_key_by_the_service_and_the_refusal_is_audited(
        KeyEnvironment environment, KeyAccessPurpose purpose)
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        var member = await TestWorkspaces.AddMemberAsync(host.Portal.Services, workspace.Id);
        var key = workspace.Key(environment, KeyKind.Secret);

        var result = await Manager.GetPlaintextAsync(workspace.Id, key.Id, purpose, member);

        Assert.Equal(KeyAccessOutcome.Forbidden, result.Outcome);
        Assert.Null(result.Plaintext);
        await using var db = host.CreateDbContext();
        var audit = await db.AuditEvents.AsNoTracking().SingleAsync(e => e.WorkspaceId == workspace.Id && e.ActorUserId == member.UserId);
        Assert.Equal(AuditActions.AuthorizationFailed, audit.Action);
        Assert.False(audit.Succeeded);
        Assert.Contains(key.Id.ToString(), audit.Target);
        Assert.Equal(purpose == KeyAccessPurpose.Copy ? AuditActions.KeyCopied : AuditActions.KeyRevealed, audit.Details);
        Assert.NotNull((await db.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == key.Id)).ProtectedSecret);
    }

    [Fact]
    public async Task A_member_can_reveal_and_copy_public_keys()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        var member = await TestWorkspaces.AddMemberAsync(host.Portal.Services, workspace.Id);
        var key = workspace.Key(KeyEnvironment.Production, KeyKind.Public);

        var result = await Manager.GetPlaintextAsync(workspace.Id, key.Id, KeyAccessPurpose.Copy, member);

        Assert.Equal(key.Plaintext, result.Plaintext);
        await using var db = host.CreateDbContext();
        Assert.True(await db.AuditEvents.AnyAsync(e => e.ActorUserId == member.UserId && e.Action == AuditActions.KeyCopied));
    }

    [Fact]
    public async Task A_member_is_refused_rotation_by_the_service_and_the_refusal_is_audited()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        var member = await TestWorkspaces.AddMemberAsync(host.Portal.Services, workspace.Id);
        var key = workspace.Key(KeyEnvironment.Test, KeyKind.Public);

        var result = await Manager.RotateAsync(workspace.Id, key.Id, null, member);

        Assert.Equal(KeyRotationOutcome.Forbidden, result.Outcome);
        await using var db = host.CreateDbContext();
        var audit = await db.AuditEvents.AsNoTracking().SingleAsync(e => e.WorkspaceId == workspace.Id && e.ActorUserId == member.UserId);
        Assert.Equal(AuditActions.AuthorizationFailed, audit.Action);
        Assert.Equal(AuditActions.KeyRotated, audit.Details);
        Assert.Null((await db.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == key.Id)).RevokedAt);
    }

    [Fact]
    public async Task A_user_outside_the_workspace_sees_nothing_of_it()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        var outsider = await TestWorkspaces.CreateOutsiderAsync(host.Portal.Services);
        var key = workspace.Key(KeyEnvironment.Test, KeyKind.Public);

        Assert.Empty(await Manager.ListAsync(workspace.Id, outsider));
        Assert.Equal(KeyAccessOutcome.NotFound,
            (await Manager.GetPlaintextAsync(workspace.Id, key.Id, KeyAccessPurpose.Reveal, outsider)).Outcome);
        Assert.Equal(KeyRotationOutcome.NotFound, (await Manager.RotateAsync(workspace.Id, key.Id, null, outsider)).Outcome);
    }

    [Fact]
    public async Task A_key_of_another_workspace_is_not_found()
    {
        var mine = await TestWorkspaces.CreateAsync(host.Portal);
        var theirs = await TestWorkspaces.CreateAsync(host.Portal);
        var theirKey = theirs.Key(KeyEnvironment.Test, KeyKind.Secret);

        Assert.Equal(KeyAccessOutcome.NotFound,
            (await Manager.GetPlaintextAsync(mine.Id, theirKey.Id, KeyAccessPurpose.Reveal, mine.Admin)).Outcome);
        Assert.Equal(KeyRotationOutcome.NotFound, (await Manager.RotateAsync(mine.Id, theirKey.Id, null, mine.Admin)).Outcome);
    }

    [Fact]
    public async Task The_list_shows_the_four_active_keys_masked()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        var member = await TestWorkspaces.AddMemberAsync(host.Portal.Services, workspace.Id);

        var keys = await Manager.ListAsync(workspace.Id, member);

        Assert.Equal(4, keys.Count);
        Assert.All(keys, k =>
        {
            var plaintext = workspace.Keys.Single(i => i.Id == k.Id).Plaintext;
            Assert.Equal($"{plaintext[..11]}••••••••••••••••{plaintext[^4..]}", k.MaskedValue);
            Assert.True(k.IsActive);
        });
    }
}
