using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.Testing;

// Plays GitHub for secret-scanning reports: its own P-256 key, served in GitHub's public-key list format
// by a tiny Kestrel server on a free loopback port, and signatures made with it.
public sealed class GitHubKeyServer : IAsyncDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly WebApplication _app;

    private GitHubKeyServer(WebApplication app, string keyIdentifier)
    {
        _app = app;
        KeyIdentifier = keyIdentifier;
    }

    private volatile bool _withdrawn;
    private int _fetches;

    public string KeyIdentifier { get; }
    public string PublicKeysUrl { get; private set; } = "";

    // How often the list was read.
    public int Fetches => Volatile.Read(ref _fetches);

    // GitHub takes the key out of its list.
    public void Withdraw() => _withdrawn = true;

    public static async Task<GitHubKeyServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new GitHubKeyServer(app, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
        app.MapGet("/meta/public_keys/secret_scanning", () =>
        {
            Interlocked.Increment(ref server._fetches);
            return Results.Json(new
            {
                public_keys = server._withdrawn
                    ? []
                    : new[] { new { key_identifier = server.KeyIdentifier, key = server._key.ExportSubjectPublicKeyInfoPem(), is_current = true } },
            });
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.PublicKeysUrl = $"{address}/meta/public_keys/secret_scanning";
        return server;
    }

    public string Sign(string body) =>
        Convert.ToBase64String(_key.SignData(Encoding.UTF8.GetBytes(body), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    // A report request as GitHub sends it: the JSON body and the two signature headers.
    public HttpRequestMessage Report(string body, string? signature = null, string? keyIdentifier = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/secret-scanning/github")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Github-Public-Key-Identifier", keyIdentifier ?? KeyIdentifier);
        request.Headers.TryAddWithoutValidation("Github-Public-Key-Signature", signature ?? Sign(body));
        return request;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _key.Dispose();
    }
}
