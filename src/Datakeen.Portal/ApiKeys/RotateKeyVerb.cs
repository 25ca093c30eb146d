using Datakeen.Portal.Auditing;
using Datakeen.Portal.Auth.Sessions;
using Datakeen.Portal.Credits;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Datakeen.Portal.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting.Internal;

namespace Datakeen.Portal.ApiKeys;

// `dotnet Datakeen.Portal.dll rotate-key --workspace acme --environment production --kind secret --reason "..."`
// Datakeen support's answer to "contact support": rotates the active key at once, audited as the operator with
// the reason, and mails the workspace's admins. The new key is not printed: support never sees it, the
// admins reveal it on the tab.
public static class RotateKeyVerb
{
    public const string Name = "rotate-key";

    private const string Usage =
        "usage: rotate-key --workspace <slug|id> --environment <production|test> --kind <public|secret> --reason <text>";

    public static Task<int> RunAsync(string[] args) =>
        RunAsync(args, GrantCreditsVerb.LoadConfiguration(), Console.Out, Console.Error);

    internal static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter output, TextWriter error)
    {
        if (!TryParse(args, out var request, out var problem))
        {
            await error.WriteLineAsync($"rotate-key: {problem}");
            await error.WriteLineAsync(Usage);
            return 2;
        }

        var services = new ServiceCollection()
            .AddLogging()
            .AddPortalData(configuration)
            .AddChangeFeed()
            .AddAuditing()
            .AddApiKeys(configuration)
            .AddNotifications(configuration)
            // The new secret is protected with the portal's own key ring (encrypted with its certificate, never a
            // new plaintext key); the key service checks sessions for people, and an operator has none.
            .AddEncryptedKeyRing(configuration, new HostingEnvironment
            {
                EnvironmentName = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")
                    ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? Environments.Production,
                ContentRootPath = Directory.GetCurrentDirectory(),
            })
            .Configure<Auth.Sessions.SessionOptions>(configuration.GetSection(Auth.Sessions.SessionOptions.SectionName))
            .Configure<StepUpOptions>(configuration.GetSection(StepUpOptions.SectionName))
            .AddSingleton<UserSessions>()
            .AddSingleton<StepUp>();
        await using var provider = services.BuildServiceProvider();
        try
        {
            var contexts = provider.GetRequiredService<IDbContextFactory<PortalDbContext>>();
            await using var db = await contexts.CreateDbContextAsync();
            var workspace = await db.Workspaces.AsNoTracking()
                .Where(w => w.Slug == request.Workspace || (request.WorkspaceId != null && w.Id == request.WorkspaceId))
                .Select(w => new { w.Id, w.Slug })
                .SingleOrDefaultAsync();
            if (workspace is null)
            {
                await error.WriteLineAsync($"rotate-key: no workspace '{request.Workspace}'.");
                return 1;
            }

            var keys = provider.GetRequiredService<ApiKeyManager>();
            var time = provider.GetRequiredService<TimeProvider>();
            var operatorName = Environment.UserName;
            await using var transaction = await db.Database.BeginTransactionAsync();
            var old = await db.ApiKeys.AsNoTracking()
                .SingleOrDefaultAsync(k => k.WorkspaceId == workspace.Id && k.Environment == request.Environment &&
                                           k.Kind == request.Kind && k.RevokedAt == null);
            var issued = old is null ? null : await keys.RotateOnBehalfAsync(db, workspace.Id, old.Id);
            if (issued is null)
            {
                await error.WriteLineAsync($"rotate-key: {workspace.Slug} has no active {Describe(request)} key (or it was just rotated).");
                return 1;
            }

            var replaced = await db.ApiKeys.SingleAsync(k => k.Id == old!.Id);
            var auditEvent = provider.GetRequiredService<AuditLog>().Add(db, AuditActions.KeyRotated, actor: null, workspace.Id,
                ApiKeyManager.TargetOf(replaced),
                $"operator rotation; reason={request.Reason}; " + ApiKeyManager.RotationDetails(TimeSpan.Zero, issued));
            auditEvent.ActorDescription = $"operator {operatorName} (rotate-key)";
            var mailed = await provider.GetRequiredService<AdminMail>().CountRecipientsAsync(db, workspace.Id);
            await provider.GetRequiredService<KeyMail>().OperatorRotatedAsync(db, replaced, operatorName, request.Reason,
                time.GetUtcNow());
            await db.SaveChangesAsync();
            await transaction.CommitAsync();

            await output.WriteLineAsync(
                $"Rotated the {Describe(request)} key of {workspace.Slug}: {KeyDisplay.Hint(replaced.Prefix, replaced.LastFour)} no longer works; " +
                $"the new key is {KeyDisplay.Hint(issued.Key.Prefix, issued.Key.LastFour)}. {mailed} admin(s) will be mailed.");
            return 0;
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException or DbUpdateException)
        {
            await error.WriteLineAsync($"rotate-key: the database could not be reached or refused the rotation: {ex.Message}");
            return 1;
        }
    }

    internal static bool TryParse(string[] args, out RotateRequest request, out string problem)
    {
        request = default!;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is not ("--workspace" or "--environment" or "--kind" or "--reason"))
            {
                problem = $"unknown argument '{name}'.";
                return false;
            }

            if (i + 1 >= args.Length)
            {
                problem = $"{name} needs a value.";
                return false;
            }

            if (!values.TryAdd(name, args[++i]))
            {
                problem = $"{name} is given twice.";
                return false;
            }
        }

        if (!values.TryGetValue("--workspace", out var workspace) || string.IsNullOrWhiteSpace(workspace))
        {
            problem = "--workspace is required.";
            return false;
        }

        KeyEnvironment? environment = values.GetValueOrDefault("--environment")?.ToLowerInvariant() switch
        {
            "production" or "live" => KeyEnvironment.Production,
            "test" => KeyEnvironment.Test,
            _ => null,
        };
        if (environment is null)
        {
            problem = "--environment must be 'production' or 'test'.";
            return false;
        }

        KeyKind? kind = values.GetValueOrDefault("--kind")?.ToLowerInvariant() switch
        {
            "public" or "pk" => KeyKind.Public,
            "secret" or "sk" => KeyKind.Secret,
            _ => null,
        };
        if (kind is null)
        {
            problem = "--kind must be 'public' or 'secret'.";
            return false;
        }

        var reason = values.GetValueOrDefault("--reason")?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length > 150)
        {
            problem = "--reason is required (at most 150 characters): it is shown to the workspace's admins.";
            return false;
        }

        request = new RotateRequest(workspace, Guid.TryParse(workspace, out var id) ? id : null, environment.Value, kind.Value, reason);
        problem = "";
        return true;
    }

    private static string Describe(RotateRequest request) =>
        $"{(request.Environment == KeyEnvironment.Production ? "production" : "test")} {(request.Kind == KeyKind.Secret ? "secret" : "public")}";

    internal sealed record RotateRequest(string Workspace, Guid? WorkspaceId, KeyEnvironment Environment, KeyKind Kind, string Reason);
}
