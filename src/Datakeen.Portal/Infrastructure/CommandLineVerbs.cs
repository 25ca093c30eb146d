using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Credits;
using Datakeen.Portal.Data;

namespace Datakeen.Portal.Infrastructure;

// Operator verbs: `dotnet Datakeen.Portal.dll <verb> [options]`.
public static class CommandLineVerbs
{
    private static readonly Dictionary<string, Func<string[], Task<int>>> Verbs = new(StringComparer.Ordinal)
    {
        [GrantCreditsVerb.Name] = GrantCreditsVerb.RunAsync,
        [RotateKeyVerb.Name] = RotateKeyVerb.RunAsync,
        [MigrateVerb.Name] = MigrateVerb.RunAsync,
    };

    public static bool IsVerb(string arg) => Verbs.ContainsKey(arg);

    public static Task<int> RunAsync(string[] args) => Verbs[args[0]](args[1..]);
}
