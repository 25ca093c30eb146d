using System.Text.RegularExpressions;
using Datakeen.Portal.Testing;

namespace Datakeen.Portal.Tests.Architecture;

// The dependency table of docs/architecture.md ("Parts") is the rule; the source is checked against it. A folder
// may use only the folders its row names, every folder has a row, and the table has no cycle (Data's mapping of
// every feature's entities is the one declared exception and is left out of the cycle check).
public sealed partial class DependencyTests
{
    private static readonly string Source = Path.Combine(RepositoryPaths.Root, "src", "Datakeen.Portal");

    [Fact]
    public void Every_folder_uses_only_the_folders_its_row_of_the_table_names()
    {
        var table = DependencyTable.Read(Path.Combine(RepositoryPaths.Root, "docs", "architecture.md"));
        var violations = SourceDependencies.Of(Source)
            .Where(d => !table.Allows(d.From, d.To))
            .Select(d => $"{d.From} -> {d.To} ({d.File})")
            .Distinct()
            .ToList();

        Assert.Empty(violations);
    }

    [Fact]
    public void Every_folder_of_the_portal_has_a_row()
    {
        var table = DependencyTable.Read(Path.Combine(RepositoryPaths.Root, "docs", "architecture.md"));

        var missing = SourceDependencies.Units(Source).Where(u => !table.Rows.ContainsKey(u)).ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void The_table_has_no_cycle()
    {
        var table = DependencyTable.Read(Path.Combine(RepositoryPaths.Root, "docs", "architecture.md"));

        Assert.Empty(table.Cycles());
    }

    // The checks themselves can fail: a table with a cycle, and a use the table does not allow.
    [Fact]
    public void A_cycle_in_the_table_and_a_use_it_does_not_allow_are_found()
    {
        var table = DependencyTable.Parse("""
            | folder | owns | may use |
            |---|---|---|
            | `A` | a | `B` |
            | `B` | b | `C` |
            | `C` | c | `A` |
            | `D` | d | — |
            """);

        Assert.NotEmpty(table.Cycles());
        Assert.True(table.Allows("A", "B"));
        Assert.False(table.Allows("D", "A"));
        Assert.Equal(
            [new Dependency("ApiKeys", "Credits", "ApiKeys/X.cs")],
            SourceDependencies.InFile("ApiKeys/X.cs", "using Datakeen.Portal.Credits;\nnamespace Datakeen.Portal.ApiKeys;\n"));
    }

}

public sealed record Dependency(string From, string To, string File);

// The "may use" table: each row a folder and the folders it may use.
public sealed partial class DependencyTable
{
    // The one exception the table declares: the data context maps the entities of every feature.
    public const string DataFolder = "Data";

    private DependencyTable(Dictionary<string, HashSet<string>> rows) => Rows = rows;

    public IReadOnlyDictionary<string, HashSet<string>> Rows { get; }

    public static DependencyTable Read(string architectureMarkdown) => Parse(File.ReadAllText(architectureMarkdown));

    public static DependencyTable Parse(string markdown)
    {
        var rows = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var line in markdown.Split('\n'))
        {
            var cells = line.Split('|');
            if (cells.Length < 5 || Folder().Match(cells[1].Trim()) is not { Success: true } folder)
            {
                continue;
            }

            rows[folder.Groups[1].Value] = Folder().Matches(cells[3]).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        }

        return new DependencyTable(rows);
    }

    public bool Allows(string from, string to) =>
        from == to || from == DataFolder || (Rows.TryGetValue(from, out var allowed) && allowed.Contains(to));

    // Every cycle of the table, as the list of folders on it (empty when it has none).
    public IReadOnlyList<string> Cycles()
    {
        var cycles = new List<string>();
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new Stack<string>();

        void Visit(string folder)
        {
            state[folder] = 1;
            path.Push(folder);
            foreach (var next in Rows.GetValueOrDefault(folder) ?? [])
            {
                if (next == folder)
                {
                    continue;
                }

                if (state.GetValueOrDefault(next) == 1)
                {
                    cycles.Add(string.Join(" -> ", path.Reverse().SkipWhile(f => f != next).Append(next)));
                }
                else if (state.GetValueOrDefault(next) == 0)
                {
                    Visit(next);
                }
            }

            path.Pop();
            state[folder] = 2;
        }

        foreach (var folder in Rows.Keys.Where(f => state.GetValueOrDefault(f) == 0))
        {
            Visit(folder);
        }

        return cycles;
    }

    [GeneratedRegex(@"`([A-Za-z/]+)`")]
    private static partial Regex Folder();
}

// What each source file of the portal uses: its `using` lines and fully qualified names of Datakeen.Portal.*.
public static partial class SourceDependencies
{
    private static readonly string[] Skipped = ["bin", "obj", "Migrations", "wwwroot", "Properties"];

    // Names whose first part is no folder of the portal (a cookie name such as "Datakeen.Portal.Session") are text.
    public static IEnumerable<Dependency> Of(string sourceRoot)
    {
        var folders = Directory.GetDirectories(sourceRoot).Select(d => Path.GetFileName(d)!).ToHashSet(StringComparer.Ordinal);
        return Files(sourceRoot)
            .SelectMany(file => InFile(Path.GetRelativePath(sourceRoot, file).Replace('\\', '/'), File.ReadAllText(file), folders))
            .Where(d => folders.Contains(d.To.Split('/')[0]));
    }

    public static IEnumerable<string> Units(string sourceRoot) =>
        Files(sourceRoot).Select(f => UnitOfPath(Path.GetRelativePath(sourceRoot, f).Replace('\\', '/'))).Distinct();

    // folders: the portal's top folders, so that a name qualified from inside the portal's namespace
    // (`Credits.CreditAlerts` in Datakeen.Portal.ApiKeys) counts too.
    public static IReadOnlyList<Dependency> InFile(string relativePath, string text, IReadOnlySet<string>? folders = null)
    {
        var from = UnitOfPath(relativePath);
        var code = NamespaceDeclaration().Replace(text, "");
        var partial = folders is null
            ? []
            : PartialName().Matches(code).Select(m => m.Groups[1].Value).Where(n => folders.Contains(n.Split('.')[0]));
        return QualifiedName().Matches(code).Select(m => m.Groups[1].Value)
            .Concat(partial)
            .Select(UnitOfNamespace)
            .Where(to => to != from)
            .Distinct()
            .Select(to => new Dependency(from, to, relativePath))
            .ToList();
    }

    // Components is split by its direct subfolders (Pages, Layout, Shared, Auth); every other folder is one unit.
    internal static string UnitOfPath(string relativePath)
    {
        var parts = relativePath.Split('/');
        if (parts.Length == 1)
        {
            return "/";
        }

        return parts[0] == "Components" && parts.Length > 2 ? $"Components/{parts[1]}" : parts[0];
    }

    private static string UnitOfNamespace(string name)
    {
        var parts = name.Split('.');
        return parts[0] == "Components" && parts.Length > 1 && parts[1] is "Pages" or "Layout" or "Shared" or "Auth"
            ? $"Components/{parts[1]}"
            : parts[0];
    }

    private static IEnumerable<string> Files(string sourceRoot) =>
        Directory.EnumerateFiles(sourceRoot, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            .Where(f => !Path.GetRelativePath(sourceRoot, f).Split(Path.DirectorySeparatorChar).Any(Skipped.Contains));

    [GeneratedRegex(@"\bDatakeen\.Portal\.((?:[A-Z]\w*)(?:\.[A-Z]\w*)*)")]
    private static partial Regex QualifiedName();

    [GeneratedRegex(@"(?<![\w.])((?:[A-Z]\w*)\.[A-Z]\w*(?:\.[A-Z]\w*)*)")]
    private static partial Regex PartialName();

    [GeneratedRegex(@"^\s*namespace\s+[\w.]+\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();
}
