using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.ServiceApi;

// The "ServiceToken" scheme's handler: JwtBearerHandler, with the result of a token that authenticated remembered
// until the token expires. A service sends the same access token with every call for the token's lifetime, and the
// handler's own work around the validation (the provider's configuration, a clone of the validation parameters, its
// contexts and events, the principal) was a fifth of verify's CPU (docs/benchmarks.md, "whoami and verify, fourth
// stop"). What can change while a token lives is checked on every call, by the same rules as the full path: the
// token's lifetime against the portal's clock, and its client against the current allow-list
// (ServiceApi:AllowedClients, which a configuration reload changes). A remembered token that fails either goes
// through the full handler again, which refuses it with the same answer as before. Remembered by the token's SHA-256,
// never by the token itself.
internal sealed class ServiceTokenHandler(IOptionsMonitor<JwtBearerOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ServiceTokenResults results, IOptionsMonitor<ServiceApiOptions> serviceOptions, TimeProvider time)
    : JwtBearerHandler(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var authorization = Request.Headers.Authorization;
        if (authorization.Count != 1 || !ServiceTokenResults.TryDigest(authorization[0], out var digest))
        {
            return await base.HandleAuthenticateAsync();
        }

        var skew = Options.TokenValidationParameters.ClockSkew;
        if (results.TryGet(digest, out var remembered))
        {
            if (ServiceTokenAuthentication.IsWithinLifetime(remembered.Caller.NotBefore, remembered.Caller.Expires, time, skew) &&
                ServiceTokenAuthentication.IsAllowedClient(remembered.Caller.Client, serviceOptions.CurrentValue))
            {
                Context.SetServiceCaller(remembered.Caller);
                return remembered.Result;
            }

            results.Forget(digest);
        }

        var result = await base.HandleAuthenticateAsync();
        // The caller is set by the token-validated event (ServiceTokenAuthentication) of the token that just passed.
        if (result.Succeeded && Context.Features.Get<ServiceCaller>() is { } caller)
        {
            results.Remember(digest, new RememberedToken(result, caller), time, skew);
        }

        return result;
    }
}

internal sealed record RememberedToken(AuthenticateResult Result, ServiceCaller Caller);

// The authentication results of the service tokens seen, by the SHA-256 of the token (a KeyDigest).
internal sealed class ServiceTokenResults
{
    // Far more than the services of one deployment hold at a time; beyond it, expired entries are dropped.
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<KeyDigest, RememberedToken> _results = new();

    public bool TryGet(KeyDigest digest, out RememberedToken remembered) => _results.TryGetValue(digest, out remembered!);

    public void Forget(KeyDigest digest) => _results.TryRemove(digest, out _);

    public void Remember(KeyDigest digest, RememberedToken remembered, TimeProvider time, TimeSpan skew)
    {
        if (_results.Count >= MaxEntries)
        {
            foreach (var (key, entry) in _results)
            {
                if (!ServiceTokenAuthentication.IsWithinLifetime(entry.Caller.NotBefore, entry.Caller.Expires, time, skew))
                {
                    _results.TryRemove(key, out _);
                }
            }
        }

        if (_results.Count < MaxEntries)
        {
            _results[digest] = remembered;
        }
    }

    // The SHA-256 of the token in "Bearer <token>", as JwtBearerHandler reads it (scheme in any case, the rest
    // trimmed); false when the header holds no bearer token.
    public static bool TryDigest(string? header, out KeyDigest digest)
    {
        digest = default;
        const string prefix = "Bearer ";
        if (header is null || !header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var token = header.AsSpan(prefix.Length).Trim();
        if (token.IsEmpty)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        Utf8Sha256.Hash(token, hash);
        digest = new KeyDigest(hash);
        return true;
    }
}
