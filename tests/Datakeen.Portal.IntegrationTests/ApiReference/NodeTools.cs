using System.Diagnostics;
using Datakeen.Portal.Testing;

namespace Datakeen.Portal.IntegrationTests.ApiReference;

// The npm tools of tests/api-client (@redocly/cli, openapi-typescript, openapi-fetch, typescript), installed with
// `npm ci` from its lock file into DATAKEEN_NODE_TOOLS (./test.sh sets it) or .tools/api-client of the repository,
// and reused while the lock file is unchanged.
public static class NodeTools
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    public static string Source { get; } = RepositoryPaths.Project("tests/api-client");

    public static string Directory { get; } = Environment.GetEnvironmentVariable("DATAKEEN_NODE_TOOLS") is { Length: > 0 } dir
        ? dir
        : RepositoryPaths.Project(".tools/api-client");

    public static string Bin(string tool) => Path.Combine(Directory, "node_modules", ".bin", tool);

    public static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            var lockFile = Path.Combine(Source, "package-lock.json");
            var installedLock = Path.Combine(Directory, "package-lock.json");
            if (File.Exists(Bin("redocly")) && File.Exists(installedLock) &&
                await File.ReadAllTextAsync(installedLock) == await File.ReadAllTextAsync(lockFile))
            {
                return;
            }

            System.IO.Directory.CreateDirectory(Directory);
            File.Copy(Path.Combine(Source, "package.json"), Path.Combine(Directory, "package.json"), overwrite: true);
            File.Copy(lockFile, installedLock, overwrite: true);
            var install = await RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], Directory);
            Assert.True(install.ExitCode == 0, "npm ci failed:\n" + install.Output);
        }
        finally
        {
            InstallLock.Release();
        }
    }

    public sealed record ProcessResult(int ExitCode, string Output);

    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NO_COLOR"] = "1";
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish in 5 minutes.");
        }

        return new ProcessResult(process.ExitCode, await stdout + await stderr);
    }
}
