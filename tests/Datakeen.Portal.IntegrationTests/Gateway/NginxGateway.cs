using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Datakeen.Portal.Testing;

namespace Datakeen.Portal.IntegrationTests.Gateway;

// Debian's nginx running deploy/gateway/gateway.conf.template (rendered as envsubst would), as a child
// process with its own prefix directory, free ports and `daemon off`. The same nginx also serves the four
// upstreams: each answers with the headers it received, and keeps an access log of its own.
public sealed partial class NginxGateway : IAsyncDisposable
{
    private const string NginxBinary = "/usr/sbin/nginx";
    public static readonly string[] Upstreams = ["journey-production", "journey-sandbox", "documents-production", "documents-sandbox"];

    private readonly Process _process;
    private readonly string _prefix;

    private NginxGateway(Process process, string prefix, Uri address)
    {
        _process = process;
        _prefix = prefix;
        Address = address;
    }

    public Uri Address { get; }

    public string AccessLogOf(string upstream)
    {
        var path = Path.Combine(_prefix, $"{upstream}.log");
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    public static async Task<NginxGateway> StartAsync(Uri portal, string sharedSecret)
    {
        await EnsureInstalledAsync();
        var prefix = Directory.CreateTempSubdirectory("datakeen-gateway-").FullName;
        var gatewayPort = FreePort();
        var upstreamPorts = Upstreams.ToDictionary(u => u, _ => FreePort());

        var variables = new Dictionary<string, string>
        {
            ["GATEWAY_LISTEN"] = $"127.0.0.1:{gatewayPort}",
            ["DATAKEEN_PORTAL_UPSTREAM"] = $"{portal.Host}:{portal.Port}",
            ["DATAKEEN_GATEWAY_SHARED_SECRET"] = sharedSecret,
            ["JOURNEY_PRODUCTION_UPSTREAM"] = $"127.0.0.1:{upstreamPorts["journey-production"]}",
            ["JOURNEY_SANDBOX_UPSTREAM"] = $"127.0.0.1:{upstreamPorts["journey-sandbox"]}",
            ["DOCUMENTS_PRODUCTION_UPSTREAM"] = $"127.0.0.1:{upstreamPorts["documents-production"]}",
            ["DOCUMENTS_SANDBOX_UPSTREAM"] = $"127.0.0.1:{upstreamPorts["documents-sandbox"]}",
        };
        var template = await File.ReadAllTextAsync(RepositoryPaths.Project("deploy/gateway/gateway.conf.template"));
        var rendered = Placeholder().Replace(template, m => variables.TryGetValue(m.Groups[1].Value, out var value)
            ? value
            : throw new InvalidOperationException($"The template uses ${{{m.Groups[1].Value}}}, which the test does not set."));
        await File.WriteAllTextAsync(Path.Combine(prefix, "gateway.conf"), rendered);

        await File.WriteAllTextAsync(Path.Combine(prefix, "upstreams.conf"), string.Concat(Upstreams.Select(u => $$"""
            server {
              listen 127.0.0.1:{{upstreamPorts[u]}};
              access_log {{prefix}}/{{u}}.log echo;
              location / {
                default_type text/plain;
                return 200 "upstream={{u}}\nuri=$request_uri\nworkspace=$http_x_datakeen_workspace_id\nenvironment=$http_x_datakeen_environment\nkeyType=$http_x_datakeen_key_type\nauthorization=$http_authorization\n";
              }
            }

            """)));

        await File.WriteAllTextAsync(Path.Combine(prefix, "nginx.conf"), $$"""
            {{(Environment.IsPrivilegedProcess ? "user root;" : "")}}
            daemon off;
            worker_processes 1;
            pid {{prefix}}/nginx.pid;
            error_log {{prefix}}/error.log warn;
            events { worker_connections 256; }
            http {
              log_format echo '$request_uri';
              access_log off;
              client_body_temp_path {{prefix}}/client_body;
              proxy_temp_path {{prefix}}/proxy;
              fastcgi_temp_path {{prefix}}/fastcgi;
              uwsgi_temp_path {{prefix}}/uwsgi;
              scgi_temp_path {{prefix}}/scgi;
              include {{prefix}}/gateway.conf;
              include {{prefix}}/upstreams.conf;
            }
            """);

        var pidFile = Path.Combine(prefix, "nginx.pid");
        using var watcher = new FileSystemWatcher(prefix, "nginx.pid") { EnableRaisingEvents = true };
        var pidWritten = new TaskCompletionSource();
        watcher.Created += (_, _) => pidWritten.TrySetResult();
        watcher.Changed += (_, _) => pidWritten.TrySetResult();

        var process = Process.Start(new ProcessStartInfo(NginxBinary, ["-p", prefix, "-c", Path.Combine(prefix, "nginx.conf"), "-e", "stderr"])
        {
            RedirectStandardError = true,
        })!;
        var exited = process.WaitForExitAsync();
        // nginx writes its pid file once its sockets are listening.
        if (!File.Exists(pidFile))
        {
            var first = await Task.WhenAny(pidWritten.Task, exited, Task.Delay(TimeSpan.FromSeconds(30)));
            if (first != pidWritten.Task && !File.Exists(pidFile))
            {
                var errors = process.HasExited ? await process.StandardError.ReadToEndAsync() : "(still running)";
                process.Kill();
                throw new InvalidOperationException($"nginx did not start: {errors} {ReadIfExists(Path.Combine(prefix, "error.log"))}");
            }
        }

        return new NginxGateway(process, prefix, new Uri($"http://127.0.0.1:{gatewayPort}"));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // TERM to the master (through nginx itself): it stops its workers too.
            using var stop = Process.Start(NginxBinary, ["-p", _prefix, "-c", Path.Combine(_prefix, "nginx.conf"), "-e", "stderr", "-s", "stop"]);
            await stop.WaitForExitAsync();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_prefix, recursive: true);
    }

    private static async Task EnsureInstalledAsync()
    {
        if (File.Exists(NginxBinary))
        {
            return;
        }

        // A fresh machine: Debian's package, as the scripts install it.
        using var install = Process.Start("bash", ["-c", $"source '{RepositoryPaths.Project("scripts/lib.sh")}' && apt_install nginx-light"])!;
        await install.WaitForExitAsync();
        if (!File.Exists(NginxBinary))
        {
            throw new InvalidOperationException("nginx is not installed and could not be installed (apt_install nginx-light).");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string ReadIfExists(string path) => File.Exists(path) ? File.ReadAllText(path) : "";

    [GeneratedRegex(@"\$\{([A-Z_]+)\}")]
    private static partial Regex Placeholder();
}
