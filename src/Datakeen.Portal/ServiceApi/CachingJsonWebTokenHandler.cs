using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Datakeen.Portal.ServiceApi;

// A service sends the same access token with every call until it expires, and checking its RSA signature
// was most of the cost of a verify call (docs/benchmarks.md: 20 % of healthz without this cache). A token that
// validated is remembered until its expiry; its lifetime is still checked on every call with the same rule
// (the portal's clock). Anything else (a new token, a forged one) goes through the full validation.
internal sealed class CachingJsonWebTokenHandler : JsonWebTokenHandler
{
    // Far more than the services of one deployment hold at a time; beyond it, expired entries are dropped.
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, TokenValidationResult> _validated = new(StringComparer.Ordinal);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (_validated.TryGetValue(token, out var cached))
        {
            if (IsWithinLifetime(cached.SecurityToken, validationParameters))
            {
                return cached;
            }

            _validated.TryRemove(token, out _);
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid)
        {
            // Built now, once, rather than lazily by concurrent requests sharing the result.
            _ = result.ClaimsIdentity;
            if (_validated.Count >= MaxEntries)
            {
                DropExpired(validationParameters);
            }

            if (_validated.Count < MaxEntries)
            {
                _validated[token] = result;
            }
        }

        return result;
    }

    private static bool IsWithinLifetime(SecurityToken token, TokenValidationParameters parameters) =>
        parameters.LifetimeValidator is { } validator
            // Absent claims read as DateTime.MinValue here, and as null in the validator's contract.
            ? validator(token.ValidFrom == DateTime.MinValue ? null : token.ValidFrom,
                token.ValidTo == DateTime.MinValue ? null : token.ValidTo, token, parameters)
            : token.ValidTo.Add(parameters.ClockSkew) > DateTime.UtcNow;

    private void DropExpired(TokenValidationParameters parameters)
    {
        foreach (var (token, result) in _validated)
        {
            if (!IsWithinLifetime(result.SecurityToken, parameters))
            {
                _validated.TryRemove(token, out _);
            }
        }
    }
}
