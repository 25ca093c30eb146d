namespace Datakeen.Portal.Operator;

// Operator verbs: `dotnet Datakeen.Portal.dll <verb> [options]`.
public static class OperatorVerbs
{
    private static readonly Dictionary<string, Func<string[], Task<int>>> Verbs = new(StringComparer.Ordinal)
    {
        [GrantCreditsVerb.Name] = args => GrantCreditsVerb.RunAsync(args, configuration: null, Console.Out, Console.Error),
        [RotateKeyVerb.Name] = args => RotateKeyVerb.RunAsync(args, configuration: null, Console.Out, Console.Error),
    };

    public static bool IsVerb(string arg) => Verbs.ContainsKey(arg);

    public static Task<int> RunAsync(string[] args) => Verbs[args[0]](args[1..]);
}
