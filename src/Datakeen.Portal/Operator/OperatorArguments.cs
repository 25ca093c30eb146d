using Datakeen.Portal.ApiKeys;

namespace Datakeen.Portal.Operator;

// The arguments every operator verb reads the same way: `--name value` pairs, each name known and given once, the
// workspace (slug or id) and the environment.
internal sealed class OperatorArguments
{
    private readonly Dictionary<string, string> _values;

    private OperatorArguments(Dictionary<string, string> values) => _values = values;

    public static bool TryParse(string[] args, IReadOnlyCollection<string> names, out OperatorArguments arguments,
        out string problem)
    {
        arguments = new OperatorArguments([]);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (!names.Contains(name))
            {
                problem = $"unknown argument '{name}'.";
                return false;
            }

            if (i + 1 >= args.Length)
            {
                problem = $"{name} needs a value.";
                return false;
            }

            if (!arguments._values.TryAdd(name, args[++i]))
            {
                problem = $"{name} is given twice.";
                return false;
            }
        }

        problem = "";
        return true;
    }

    public string? this[string name] => _values.GetValueOrDefault(name);

    // --workspace: a slug, or a workspace id.
    public bool TryWorkspace(out string workspace, out Guid? workspaceId, out string problem)
    {
        workspace = _values.GetValueOrDefault("--workspace") ?? "";
        workspaceId = Guid.TryParse(workspace, out var id) ? id : null;
        problem = string.IsNullOrWhiteSpace(workspace) ? "--workspace is required." : "";
        return problem.Length == 0;
    }

    // --environment: production (or live) or test.
    public bool TryEnvironment(out KeyEnvironment environment, out string problem)
    {
        (KeyEnvironment? parsed, problem) = _values.GetValueOrDefault("--environment")?.ToLowerInvariant() switch
        {
            "production" or "live" => (KeyEnvironment.Production, ""),
            "test" => (KeyEnvironment.Test, ""),
            null => ((KeyEnvironment?)null, "--environment is required."),
            _ => (null, "--environment must be 'production' or 'test'."),
        };
        environment = parsed ?? default;
        return parsed is not null;
    }
}
