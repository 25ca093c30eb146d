using System.Globalization;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Credits;

namespace Datakeen.Portal.Operator;

// `dotnet Datakeen.Portal.dll grant-credits --workspace acme --environment production --amount 100 [--reason "..."]`
// Production credits are bought outside the portal; this is how an operator books them.
public static class GrantCreditsVerb
{
    public const string Name = "grant-credits";
    public const long MaxAmount = 1_000_000_000;

    private const string Usage =
        "usage: grant-credits --workspace <slug|id> --environment <production|test> --amount <1.." + "1000000000> [--reason <text>]";

    internal static async Task<int> RunAsync(string[] args, IConfiguration? configuration, TextWriter output, TextWriter error)
    {
        if (!TryParse(args, out var request, out var problem))
        {
            await error.WriteLineAsync($"grant-credits: {problem}");
            await error.WriteLineAsync(Usage);
            return 2;
        }

        try
        {
            await using var host = OperatorHost.Build(configuration);
            if (await OperatorHost.FindWorkspaceAsync(host.Services, request.Workspace) is not { } workspace)
            {
                await error.WriteLineAsync($"grant-credits: no workspace '{request.Workspace}'.");
                return 1;
            }

            var actor = $"operator {Environment.UserName} (grant-credits)" + (request.Reason is null ? "" : $": {request.Reason}");
            var balance = await host.Services.GetRequiredService<CreditLedger>()
                .GrantAsync(workspace.Id, request.Environment, request.Amount, actor);
            var environmentName = request.Environment.ToString().ToLowerInvariant();
            await output.WriteLineAsync(
                $"Granted {request.Amount} {environmentName} credits to {workspace.Slug}. New {environmentName} balance: {balance}.");
            return 0;
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
        {
            await error.WriteLineAsync($"grant-credits: nothing was granted: {ex.Message}");
            return 1;
        }
    }

    internal static bool TryParse(string[] args, out GrantRequest request, out string problem)
    {
        request = default!;
        if (!OperatorArguments.TryParse(args, ["--workspace", "--environment", "--amount", "--reason"], out var values, out problem) ||
            !values.TryWorkspace(out var workspace, out var workspaceId, out problem) ||
            !values.TryEnvironment(out var environment, out problem))
        {
            return false;
        }

        if (values["--amount"] is not { } amountText ||
            !long.TryParse(amountText, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) ||
            amount is < 1 or > MaxAmount)
        {
            problem = $"--amount must be a whole number from 1 to {MaxAmount}.";
            return false;
        }

        var reason = values["--reason"];
        if (reason is { Length: > 150 })
        {
            problem = "--reason is limited to 150 characters.";
            return false;
        }

        request = new GrantRequest(workspace, workspaceId, environment, amount,
            string.IsNullOrWhiteSpace(reason) ? null : reason);
        problem = "";
        return true;
    }

    internal sealed record GrantRequest(string Workspace, Guid? WorkspaceId, KeyEnvironment Environment, long Amount, string? Reason);
}
