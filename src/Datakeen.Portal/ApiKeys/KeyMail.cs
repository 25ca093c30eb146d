using Datakeen.Portal.Notifications;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;

namespace Datakeen.Portal.ApiKeys;

// The security mail about keys: always sent to every admin of the workspace (it cannot be muted).
public sealed class KeyMail(AdminMail mail)
{
    public Task KeyRotatedAsync(PortalDbContext db, ApiKey old, Actor actor, DateTimeOffset at, CancellationToken ct = default) =>
        mail.EnqueueAsync(db, old.WorkspaceId, MailCategory.Security,
            $"{Title(old)} rotated",
            $"The {Name(old)} {KeyDisplay.Hint(old.Prefix, old.LastFour)} was rotated.\n\n" +
            $"Who:   {Who(actor)}\n" +
            $"When:  {AdminMail.When(at)}\n" +
            $"From:  {actor.IpAddress ?? "unknown address"}\n\n" +
            "If this was not you or another admin, review the workspace's audit log and rotate the key again.",
            ct: ct);

    public Task SecretRevealedAsync(PortalDbContext db, ApiKey key, Actor actor, DateTimeOffset at, string how,
        CancellationToken ct = default) =>
        mail.EnqueueAsync(db, key.WorkspaceId, MailCategory.Security,
            $"{Title(key)} {how}",
            $"The {Name(key)} {KeyDisplay.Hint(key.Prefix, key.LastFour)} was {how}.\n\n" +
            $"Who:   {Who(actor)}\n" +
            $"When:  {AdminMail.When(at)}\n" +
            $"From:  {actor.IpAddress ?? "unknown address"}\n\n" +
            "If this was not you or another admin, rotate the key now.",
            ct: ct);

    public Task OperatorRotatedAsync(PortalDbContext db, ApiKey old, string operatorName, string reason, DateTimeOffset at,
        CancellationToken ct = default) =>
        mail.EnqueueAsync(db, old.WorkspaceId, MailCategory.Security,
            $"{Title(old)} rotated by Datakeen support",
            $"Datakeen support rotated the {Name(old)} {KeyDisplay.Hint(old.Prefix, old.LastFour)}. It no longer works.\n\n" +
            $"Who:     Datakeen support ({operatorName})\n" +
            $"When:    {AdminMail.When(at)}\n" +
            $"Reason:  {reason}\n\n" +
            "Copy the new key from the API & Docs tab and update your servers.",
            ct: ct);

    public Task KeyLeakedAsync(PortalDbContext db, ApiKey key, string url, string whatWasDone, DateTimeOffset at,
        CancellationToken ct = default) =>
        mail.EnqueueAsync(db, key.WorkspaceId, MailCategory.Security,
            $"{Title(key)} found in public",
            $"Your {Name(key)} {KeyDisplay.Hint(key.Prefix, key.LastFour)} was found in public by GitHub secret scanning.\n\n" +
            $"Where:  {url}\n" +
            $"When:   {AdminMail.When(at)}\n" +
            $"Done:   {whatWasDone}\n\n" +
            "Remove the key from that place and from its history; anyone may have copied it.",
            ct: ct);

    private static string Name(ApiKey key) =>
        $"{(key.Environment == KeyEnvironment.Production ? "Production" : "Test")} {(key.Kind == KeyKind.Secret ? "secret" : "public")} key";

    private static string Title(ApiKey key) => Name(key);

    private static string Who(Actor actor) => StorableText.WithoutControlCharacters(actor.DisplayName) ?? "a workspace admin";
}
