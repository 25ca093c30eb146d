using Datakeen.Portal.Notifications;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.ApiKeys;

// The security mail about keys: always sent to every admin of the workspace (it cannot be muted).
public sealed class KeyMail(AdminMail mail, IConfiguration configuration)
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

    public async Task KeyLeakedAsync(PortalDbContext db, ApiKey key, string url, string whatWasDone, DateTimeOffset at,
        CancellationToken ct = default) =>
        await mail.EnqueueAsync(db, key.WorkspaceId, MailCategory.Security,
            $"{Title(key)} found in public",
            $"Your {Name(key)} {KeyDisplay.Hint(key.Prefix, key.LastFour)} was found in public by GitHub secret scanning.\n\n" +
            $"Where:  {url}\n" +
            $"When:   {AdminMail.When(at)}\n" +
            $"Done:   {whatWasDone}\n\n" +
            "Remove the key from that place and from its history; anyone may have copied it.\n\n" +
            $"What this key did (its requests since 24 hours before the report, by day and by client):\n{await ImpactLinkAsync(db, key, ct)}",
            ct: ct);

    // The impact report on the portal's first public origin (Portal:PublicOrigins), or its path when none is configured.
    private async Task<string> ImpactLinkAsync(PortalDbContext db, ApiKey key, CancellationToken ct)
    {
        var slug = await db.Workspaces.Where(w => w.Id == key.WorkspaceId).Select(w => w.Slug).SingleAsync(ct);
        var origin = OriginCheck.PublicOrigins(configuration).Order(StringComparer.Ordinal).FirstOrDefault() ?? "";
        return origin + Activity.KeyActivityPaths.Impact(slug, key.Id);
    }

    // An old key still in use an hour before its grace period ends (GraceEndingNotices).
    public Task GraceEndingAsync(PortalDbContext db, ApiKey old, int requestsLastHour,
        IReadOnlyList<Activity.ActivityClient> clients, DateTimeOffset at, CancellationToken ct = default) =>
        mail.EnqueueAsync(db, old.WorkspaceId, MailCategory.Security,
            $"{Title(old)} stops working within the hour and is still used",
            $"The {Name(old)} {KeyDisplay.Hint(old.Prefix, old.LastFour)} was rotated. Its grace period ends at " +
            $"{AdminMail.When(old.ExpiresAt!.Value)}, and it was still used {requestsLastHour} time{(requestsLastHour == 1 ? "" : "s")} " +
            "in the last hour.\n\n" +
            "Still using it (address, user agent, last request):\n" +
            string.Concat(clients.Take(10).Select(c =>
                $"  {c.ClientAddress}  {StorableText.WithoutControlCharacters(c.UserAgent) ?? "no user agent"}  {AdminMail.When(c.LastSeen)}\n")) +
            $"\nAs of {AdminMail.When(at)}. Deploy the new key to these integrations now; the drain view of the key on the " +
            "API & Docs tab shows when the old key has gone quiet.",
            ct: ct);

    private static string Name(ApiKey key) =>
        $"{(key.Environment == KeyEnvironment.Production ? "Production" : "Test")} {(key.Kind == KeyKind.Secret ? "secret" : "public")} key";

    private static string Title(ApiKey key) => Name(key);

    private static string Who(Actor actor) => StorableText.WithoutControlCharacters(actor.DisplayName) ?? "a workspace admin";
}
