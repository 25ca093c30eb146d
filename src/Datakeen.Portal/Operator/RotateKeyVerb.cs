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
            await error.WriteLineAsync($"rotate-key: nothing was rotated: {ex.Message}");
            return 1;
        }
    }

    internal static bool TryParse(string[] args, out RotateRequest request, out string problem)
    {
        request = default!;
        if (!OperatorArguments.TryParse(args, ["--workspace", "--environment", "--kind", "--reason"], out var values, out problem) ||
            !values.TryWorkspace(out var workspace, out var workspaceId, out problem) ||
            !values.TryEnvironment(out var environment, out problem))
        {
            return false;
        }

        KeyKind? kind = values["--kind"]?.ToLowerInvariant() switch
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

        var reason = values["--reason"]?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length > 150)
        {
            problem = "--reason is required (at most 150 characters): it is shown to the workspace's admins.";
            return false;
        }

        request = new RotateRequest(workspace, workspaceId, environment, kind.Value, reason);
        problem = "";
        return true;
    }

    private static string Describe(RotateRequest request) =>
        $"{(request.Environment == KeyEnvironment.Production ? "production" : "test")} {(request.Kind == KeyKind.Secret ? "secret" : "public")}";

    internal sealed record RotateRequest(string Workspace, Guid? WorkspaceId, KeyEnvironment Environment, KeyKind Kind, string Reason);
}
