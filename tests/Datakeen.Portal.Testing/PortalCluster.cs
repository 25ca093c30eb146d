using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Datakeen.Portal.Testing;

// `./run.sh --replicas N` itself, as a user runs it: the development provider, Redis, N portal instances
// and nginx, on free ports, with its own data directory and the test's database (so it starts no
// PostgreSQL of its own). Disposing sends it TERM, as Ctrl-C would, and checks that nothing it started
// is left running.
public sealed class PortalCluster : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly Process _script;
    private readonly string _dataDirectory;
    private readonly StringWriter _output = new();

    private PortalCluster(Process script, string dataDirectory, Uri entry, Uri identity)
    {
        _script = script;
        _dataDirectory = dataDirectory;
        Entry = entry;
        Identity = identity;
    }

    // nginx: the only entry point users and clients know.
    public Uri Entry { get; }

    public Uri Identity { get; }

    public IReadOnlyList<ClusterInstance> Instances { get; private set; } = [];

    // Redis and nginx, as run.sh lists them next to the instances.
    public IReadOnlyList<ClusterInstance> Services { get; private set; } = [];

    public string Output => _output.ToString();

    // run.sh's DATAKEEN_DATA_DIR: cluster.json, nginx/logs (access.log), the instances' logs.
    public string DataDirectory => _dataDirectory;

    public static async Task<PortalCluster> StartAsync(string connectionString, int replicas,
        IReadOnlyDictionary<string, string> environment)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("datakeen-cluster-").FullName;
        var entryPort = FreePort();
        var identityPort = FreePort();
        var start = new ProcessStartInfo("bash", [Path.Combine(RepositoryPaths.Root, "run.sh"), "--replicas", replicas.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.Environment["ConnectionStrings__Portal"] = connectionString;
        start.Environment["DATAKEEN_PORTAL_PORT"] = entryPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["DATAKEEN_IDENTITY_PORT"] = identityPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["DATAKEEN_DATA_DIR"] = dataDirectory;
        // ./test.sh built the solution already.
        start.Environment["DATAKEEN_NO_BUILD"] = "1";
        start.Environment["DemoData__Enabled"] = "true";
        // The tests stand in for a TLS front on loopback: nginx believes their X-Forwarded-For (each test's
        // client address of its own), as it would the front's.
        start.Environment["DATAKEEN_TLS_FRONT"] = "127.0.0.1/32";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var script = Process.Start(start) ?? throw new InvalidOperationException("could not start run.sh");
        var cluster = new PortalCluster(script, dataDirectory,
            new Uri($"http://localhost:{entryPort}/"), new Uri($"http://localhost:{identityPort}/"));
        script.OutputDataReceived += (_, e) => cluster.Append(e.Data);
        script.ErrorDataReceived += (_, e) => cluster.Append(e.Data);
        script.BeginOutputReadLine();
        script.BeginErrorReadLine();
        try
        {
            await cluster.WaitUntilReadyAsync(replicas);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    // A client of one instance directly (its internal loopback address), bypassing nginx.
    public static HttpClient ClientOf(ClusterInstance instance) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = instance.Url };

    // A cookie-less client of the entry point.
    public HttpClient CreateEntryClient() =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = Entry };

    public IEnumerable<ClusterInstance> LiveInstances => Instances.Where(i => i.IsAlive);

    public ClusterInstance Instance(string name) => Instances.Single(i => i.Name == name);

    // Ends an instance the hard way (SIGKILL): no graceful shutdown, nothing persisted on the way out.
    public static void Kill(ClusterInstance instance)
    {
        try
        {
            using var process = Process.GetProcessById(instance.Pid);
            process.Kill();
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
    }

    // `./run.sh restart`, as an operator runs it: one instance at a time stopped gracefully (TERM), started again and
    // waited for; returns its output once the restart has ended, and the instances' new processes.
    public async Task<string> RollingRestartAsync()
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(RepositoryPaths.Root, "run.sh"), "restart"])
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DATAKEEN_DATA_DIR"] = _dataDirectory;
        using var restart = Process.Start(start) ?? throw new InvalidOperationException("could not start run.sh restart");
        var output = restart.StandardOutput.ReadToEndAsync();
        var errors = restart.StandardError.ReadToEndAsync();
        await restart.WaitForExitAsync();
        var text = await output + await errors;
        if (restart.ExitCode != 0)
        {
            throw new InvalidOperationException($"run.sh restart exited with {restart.ExitCode}:\n{text}\n{Output}");
        }
        (Instances, Services) = ReadCluster(Path.Combine(_dataDirectory, "cluster.json"));
        return text;
    }

    private async Task WaitUntilReadyAsync(int replicas)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + StartTimeout;
        var clusterFile = Path.Combine(_dataDirectory, "cluster.json");
        while (true)
        {
            if (_script.HasExited)
            {
                throw new InvalidOperationException($"run.sh exited with {_script.ExitCode}:\n{Output}");
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the cluster was not ready within {StartTimeout}:\n{Output}");
            }

            // run.sh prints its banner once nginx and every instance answered /readyz.
            if (Output.Contains("Press Ctrl-C to stop.", StringComparison.Ordinal) && File.Exists(clusterFile))
            {
                (Instances, Services) = ReadCluster(clusterFile);
                if (Instances.Count == replicas && await ReadyAsync(http, new Uri(Entry, "/readyz")) &&
                    await ReadyAsync(http, new Uri(Identity, "/.well-known/openid-configuration")))
                {
                    return;
                }
            }
            await Task.Delay(200);
        }
    }

    private static async Task<bool> ReadyAsync(HttpClient http, Uri uri)
    {
        try
        {
            return (await http.GetAsync(uri)).IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static (List<ClusterInstance> Instances, List<ClusterInstance> Services) ReadCluster(string file)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(file));
        var root = json.RootElement;
        return (
            [.. root.GetProperty("instances").EnumerateArray().Select(i => new ClusterInstance(
                i.GetProperty("name").GetString()!, i.GetProperty("pid").GetInt32(), new Uri(i.GetProperty("url").GetString()!)))],
            [.. new[] { "redis", "nginx" }.Select(name => new ClusterInstance(
                name, root.GetProperty(name).GetProperty("pid").GetInt32(), new Uri(root.GetProperty(name).GetProperty("url").GetString()!)))]);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.WriteLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_script.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _script.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await _script.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _script.Kill(entireProcessTree: true);
            }
        }
        _script.Dispose();
        // TERM to run.sh must stop everything it started. Whatever is left is a leak: end it so the next
        // run starts clean, and fail.
        var leftovers = Instances.Concat(Services).Where(i => i.IsAlive).ToList();
        foreach (var process in leftovers)
        {
            Kill(process);
        }
        try
        {
            if (Environment.GetEnvironmentVariable("DATAKEEN_KEEP_CLUSTER_DATA") is null) { Directory.Delete(_dataDirectory, recursive: true); }
        }
        catch (IOException)
        {
            // Redis or nginx may still be closing a file; the directory is under /tmp.
        }
        if (leftovers.Count > 0)
        {
            throw new InvalidOperationException(
                $"run.sh left running after TERM: {string.Join(", ", leftovers.Select(l => $"{l.Name} ({l.Pid})"))}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed record ClusterInstance(string Name, int Pid, Uri Url)
{
    public bool IsAlive
    {
        get
        {
            try
            {
                using var process = Process.GetProcessById(Pid);
                return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }
    }
}
