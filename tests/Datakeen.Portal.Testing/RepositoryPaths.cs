namespace Datakeen.Portal.Testing;

public static class RepositoryPaths
{
    // The repository root: the first parent of the test binaries that holds the solution file.
    public static string Root { get; } = FindRoot();

    public static string Project(string relativePath) => Path.Combine(Root, relativePath);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Datakeen.Portal.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Datakeen.Portal.sln not found above " + AppContext.BaseDirectory);
    }
}
