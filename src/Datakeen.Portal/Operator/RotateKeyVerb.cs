using Datakeen.Portal.ApiKeys;

namespace Datakeen.Portal.Operator;

// `dotnet Datakeen.Portal.dll rotate-key --workspace acme --environment production --kind secret --reason "..."`
// Datakeen support's answer to "contact support": rotates the active key at once, audited as the operator with
// the reason, and mails the workspace's admins. The new key is not printed: support never sees it, the
// admins reveal it on the tab.
public static class RotateKeyVerb
{
    public const string Name = "rotate-key";

    private const string Usage =
        "usage: rotate-key --workspace <slug|id> --environment <production|test> --kind <public|secret> --reason <text>";

    internal static async Task<int> RunAsync(string[] args, IConfiguration? configuration, TextWriter output, TextWriter error)
    {
        if (!TryParse(args, out var request, out var problem))
        {
            await error.WriteLineAsync($"rotate-key: {problem}");
            await error.WriteLineAsync(Usage);
            return 2;
        }

        try
        {
            await using var host = OperatorHost.Build(configuration);
            if (await OperatorHost.FindWorkspaceAsync(host.Services, request.Workspace) is not { } workspace)
            {
                await error.WriteLineAsync($"rotate-key: no workspace '{request.Workspace}'.");
                return 1;
            }

            // The same rotation as the tab's dialog and a leak report, with support as its cause.
            var rotated = await host.Services.GetRequiredService<KeyRotation>().RotateActiveAsync(workspace.Id,
                request.Environment, request.Kind, new RotationCause.BySupport(Environment.UserName, request.Reason));
            if (rotated is null)
            {
                await error.WriteLineAsync($"rotate-key: {workspace.Slug} has no active {Describe(request)} key (or it was just rotated).");
                return 1;
            }

            await output.WriteLineAsync(
                $"Rotated the {Describe(request)} key of {workspace.Slug}: {KeyDisplay.Hint(rotated.Old.Prefix, rotated.Old.LastFour)} no longer works; " +
                $"the new key is {KeyDisplay.Hint(rotated.New.Key.Prefix, rotated.New.Key.LastFour)}. The workspace's admins will be mailed.");
            return 0;
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException or Microsoft.EntityFrameworkCore.DbUpdateException)
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
