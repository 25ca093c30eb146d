using System.Globalization;
using System.Security.Claims;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Auth.Sessions;
using Datakeen.Portal.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Datakeen.Portal.IntegrationTests.Auth;

// The key service's own checks of the caller's browser session: a signed-out session is refused, and
// Production secrets and rotations need a sign-in younger than Auth:StepUpMaxAge (10 minutes by default).
public sealed class StepUpAndSessionLifetimeTests(PortalDatabaseFixture database) : IClassFixture<PortalDatabaseFixture>
{
    [Fact]
    public async Task A_fresh_sign_in_reveals_a_production_secret_and_rotates_a_key()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var portal = new FakeTimePortal(database.ConnectionString, time);
        var workspace = await TestWorkspaces.CreateAsync(portal);
        var actor = await SignedInAsync(portal, workspace.Admin, authenticatedAt: time.GetUtcNow().AddMinutes(-9));
        var keys = portal.Services.GetRequiredService<IApiKeyManager>();

        var reveal = await keys.GetPlaintextAsync(workspace.Id, workspace.Key(KeyEnvironment.Production, KeyKind.Secret).Id,
            KeyAccessPurpose.Reveal, actor);
        var rotation = await keys.RotateAsync(workspace.Id, workspace.Key(KeyEnvironment.Test, KeyKind.Public).Id, null, actor);

        Assert.Equal(KeyAccessOutcome.Ok, reveal.Outcome);
        Assert.Equal(KeyRotationOutcome.Rotated, rotation.Outcome);
    }

    [Fact]
    public async Task An_old_sign_in_must_reauthenticate_for_production_secrets_and_rotation_and_nothing_is_spent()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var portal = new FakeTimePortal(database.ConnectionString, time);
        var workspace = await TestWorkspaces.CreateAsync(portal);
        var actor = await SignedInAsync(portal, workspace.Admin, authenticatedAt: time.GetUtcNow().AddMinutes(-11));
        var keys = portal.Services.GetRequiredService<IApiKeyManager>();
        var production = workspace.Key(KeyEnvironment.Production, KeyKind.Secret).Id;

        var copy = await keys.GetPlaintextAsync(workspace.Id, production, KeyAccessPurpose.Copy, actor);
        var reveal = await keys.GetPlaintextAsync(workspace.Id, production, KeyAccessPurpose.Reveal, actor);
        var testSecret = await keys.GetPlaintextAsync(workspace.Id, workspace.Key(KeyEnvironment.Test, KeyKind.Secret).Id,
            KeyAccessPurpose.Reveal, actor);
        var rotation = await keys.RotateAsync(workspace.Id, workspace.Key(KeyEnvironment.Test, KeyKind.Secret).Id, null, actor);

        Assert.Equal(KeyAccessOutcome.ReauthenticationRequired, copy.Outcome);
        Assert.Equal(KeyAccessOutcome.ReauthenticationRequired, reveal.Outcome);
        Assert.Null(reveal.Plaintext);
        Assert.Equal(KeyAccessOutcome.Ok, testSecret.Outcome);
        Assert.Equal(KeyRotationOutcome.ReauthenticationRequired, rotation.Outcome);
        await using var db = database.CreateDbContext();
        Assert.NotNull((await db.ApiKeys.SingleAsync(k => k.Id == production)).ProtectedSecret);
        Assert.Equal(4, await db.ApiKeys.CountAsync(k => k.WorkspaceId == workspace.Id && k.RevokedAt == null));
    }

    [Fact]
    public async Task An_action_from_a_signed_out_session_is_refused()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var portal = new FakeTimePortal(database.ConnectionString, time);
        var workspace = await TestWorkspaces.CreateAsync(portal);
        var actor = await SignedInAsync(portal, workspace.Admin, authenticatedAt: time.GetUtcNow());
        await portal.Services.GetRequiredService<UserSessions>().RevokeAsync(actor.SessionId!.Value);

        var reveal = await portal.Services.GetRequiredService<IApiKeyManager>().GetPlaintextAsync(workspace.Id,
            workspace.Key(KeyEnvironment.Test, KeyKind.Secret).Id, KeyAccessPurpose.Reveal, actor);

        Assert.Equal(KeyAccessOutcome.SessionEnded, reveal.Outcome);
        Assert.Null(reveal.Plaintext);
    }

    [Fact]
    public async Task A_session_ends_after_its_idle_timeout_and_after_its_absolute_lifetime()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var portal = new FakeTimePortal(database.ConnectionString, time, new Dictionary<string, string?>
        {
            ["Sessions:IdleTimeout"] = "01:00:00",
            ["Sessions:AbsoluteLifetime"] = "03:00:00",
        });
        var workspace = await TestWorkspaces.CreateAsync(portal);
        var store = portal.Services.GetRequiredService<SessionTicketStore>();
        var idle = await store.StoreAsync(Ticket(workspace.Admin.UserId, time.GetUtcNow()));
        var busy = await store.StoreAsync(Ticket(workspace.Admin.UserId, time.GetUtcNow()));

        for (var i = 0; i < 3; i++)
        {
            time.Advance(TimeSpan.FromMinutes(50));
            Assert.NotNull(await store.RetrieveAsync(busy));
        }

        Assert.Null(await store.RetrieveAsync(idle));
        time.Advance(TimeSpan.FromMinutes(50));
        Assert.Null(await store.RetrieveAsync(busy));
    }

    private static async Task<Actor> SignedInAsync(PortalFactory portal, Actor person, DateTimeOffset authenticatedAt)
    {
        var id = await portal.Services.GetRequiredService<SessionTicketStore>().StoreAsync(Ticket(person.UserId, authenticatedAt));
        return person with { SessionId = Guid.ParseExact(id, "N") };
    }

    private static AuthenticationTicket Ticket(Guid userId, DateTimeOffset authenticatedAt) => new(
        new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim(PortalClaims.UserId, userId.ToString()),
            new Claim(PortalClaims.AuthTime, authenticatedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
        ], "test")),
        "Cookies");
}
