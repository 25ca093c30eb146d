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
            await error.WriteLineAsync($"grant-credits: the database could not be reached or refused the grant: {ex.Message}");
            return 1;
        }
    }

    internal static bool TryParse(string[] args, out GrantRequest request, out string problem)
    {
        request = default!;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is not ("--workspace" or "--environment" or "--amount" or "--reason"))
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

        KeyEnvironment environment;
        switch (values.GetValueOrDefault("--environment")?.ToLowerInvariant())
        {
            case "production" or "live":
                environment = KeyEnvironment.Production;
                break;
            case "test":
                environment = KeyEnvironment.Test;
                break;
            case null:
                problem = "--environment is required.";
                return false;
            default:
                problem = "--environment must be 'production' or 'test'.";
                return false;
        }

        if (!values.TryGetValue("--amount", out var amountText) ||
            !long.TryParse(amountText, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) ||
            amount is < 1 or > MaxAmount)
        {
            problem = $"--amount must be a whole number from 1 to {MaxAmount}.";
            return false;
        }

        var reason = values.GetValueOrDefault("--reason");
        if (reason is { Length: > 150 })
        {
            problem = "--reason is limited to 150 characters.";
            return false;
        }

        request = new GrantRequest(workspace, Guid.TryParse(workspace, out var id) ? id : null, environment, amount,
            string.IsNullOrWhiteSpace(reason) ? null : reason);
        problem = "";
        return true;
    }

    internal sealed record GrantRequest(string Workspace, Guid? WorkspaceId, KeyEnvironment Environment, long Amount, string? Reason);
}
