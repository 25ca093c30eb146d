using Datakeen.Portal.Infrastructure;
using System.Globalization;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Auditing;
using Datakeen.Portal.Data;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Credits;

// `dotnet Datakeen.Portal.dll grant-credits --workspace acme --environment production --amount 100 [--reason "..."]`
// Production credits are bought outside the portal; this is how an operator books them.
public static class GrantCreditsVerb
{
    public const string Name = "grant-credits";
    public const long MaxAmount = 1_000_000_000;

    private const string Usage =
        "usage: grant-credits --workspace <slug|id> --environment <production|test> --amount <1.." + "1000000000> [--reason <text>]";

    public static Task<int> RunAsync(string[] args) =>
        RunAsync(args, LoadConfiguration(), Console.Out, Console.Error);

    internal static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter output, TextWriter error)
    {
        if (!TryParse(args, out var request, out var problem))
        {
            await error.WriteLineAsync($"grant-credits: {problem}");
            await error.WriteLineAsync(Usage);
            return 2;
        }

        var services = new ServiceCollection()
            .AddLogging()
            .AddMetrics()
            .AddPortalData(configuration)
            .AddAuditing()
            // The ledger's collaborators; a grant NOTIFYs inside its own transaction and needs no running host.
            .AddChangeFeed()
            .AddSingleton<CreditBalanceCache>()
            .AddSingleton<CreditLedger>();
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
                await error.WriteLineAsync($"grant-credits: no workspace '{request.Workspace}'.");
                return 1;
            }

            var actor = $"operator {Environment.UserName} (grant-credits)" + (request.Reason is null ? "" : $": {request.Reason}");
            var balance = await provider.GetRequiredService<CreditLedger>()
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

    // appsettings.json next to the assembly, then appsettings.{Environment}.json, then environment variables,
    // as the web host reads them.
    internal static IConfiguration LoadConfiguration()
    {
        var environment = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT")
            ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")
            ?? "Production";
        return new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{environment}.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
    }

    internal sealed record GrantRequest(string Workspace, Guid? WorkspaceId, KeyEnvironment Environment, long Amount, string? Reason);
}
