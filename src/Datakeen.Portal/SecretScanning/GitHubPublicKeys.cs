using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.SecretScanning;

// GitHub's secret-scanning public keys ({ "public_keys": [ { "key_identifier", "key" (PEM), "is_current" } ] }),
// cached for SecretScanning:GitHub:MinRefetchInterval (5 minutes): a lookup after that reads the list again, and
// so does an identifier the list does not hold, but never sooner. Every read replaces the whole list, so a key
// GitHub withdraws is no longer trusted; a failed read keeps the last list (GitHub being away is no reason to
// refuse reports signed by keys it published) and waits the same interval before trying again.
public sealed class GitHubPublicKeys(
    IHttpClientFactory httpClients,
    IOptionsMonitor<SecretScanningOptions> options,
    TimeProvider time,
    ILogger<GitHubPublicKeys> logger)
{
    public const string HttpClientName = "github-secret-scanning";

    private readonly SemaphoreSlim _fetchGate = new(1, 1);
    private volatile IReadOnlyDictionary<string, string> _pemById = new Dictionary<string, string>();
    private DateTimeOffset? _fetchedAt;

    // The PEM of the key with this identifier, or null when GitHub does not list it.
    public async Task<string?> FindAsync(string keyIdentifier, CancellationToken ct)
    {
        if (IsFresh() && _pemById.TryGetValue(keyIdentifier, out var pem))
        {
            return pem;
        }

        await _fetchGate.WaitAsync(ct);
        try
        {
            if (!IsFresh() || !_pemById.ContainsKey(keyIdentifier))
            {
                if (_fetchedAt is not { } last || time.GetUtcNow() - last >= options.CurrentValue.GitHub.MinRefetchInterval)
                {
                    _fetchedAt = time.GetUtcNow();
                    _pemById = await FetchAsync(options.CurrentValue.GitHub, ct) ?? _pemById;
                }
            }

            return _pemById.GetValueOrDefault(keyIdentifier);
        }
        finally
        {
            _fetchGate.Release();
        }
    }

    private bool IsFresh() =>
        _fetchedAt is { } last && time.GetUtcNow() - last < options.CurrentValue.GitHub.MinRefetchInterval;

    public static bool Verify(string pem, ReadOnlySpan<byte> body, ReadOnlySpan<byte> derSignature)
    {
        try
        {
            using var key = ECDsa.Create();
            key.ImportFromPem(pem);
            return key.VerifyData(body, derSignature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            return false;
        }
    }

    private async Task<IReadOnlyDictionary<string, string>?> FetchAsync(GitHubSecretScanningOptions settings, CancellationToken ct)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, settings.PublicKeysUrl);
            request.Headers.UserAgent.ParseAdd("Datakeen-Portal");
            request.Headers.Accept.ParseAdd("application/json");
            if (!string.IsNullOrEmpty(settings.Token))
            {
                request.Headers.Authorization = new("Bearer", settings.Token);
            }

            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, ct);
            response.EnsureSuccessStatusCode();
            var list = await response.Content.ReadFromJsonAsync<PublicKeyList>(ct);
            return (list?.PublicKeys ?? [])
                .Where(k => !string.IsNullOrEmpty(k.KeyIdentifier) && !string.IsNullOrEmpty(k.Key))
                .GroupBy(k => k.KeyIdentifier!, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First().Key!, StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException or NotSupportedException)
        {
            // Keep what was cached: a report signed by a known key still verifies.
            logger.LogWarning("Fetching GitHub's secret-scanning public keys failed: {ExceptionType}: {Message}", ex.GetType().Name, ex.Message);
            return null;
        }
    }

    private sealed record PublicKeyList([property: JsonPropertyName("public_keys")] List<PublicKeyEntry>? PublicKeys);

    private sealed record PublicKeyEntry(
        [property: JsonPropertyName("key_identifier")] string? KeyIdentifier,
        [property: JsonPropertyName("key")] string? Key,
        [property: JsonPropertyName("is_current")] bool IsCurrent);
}
