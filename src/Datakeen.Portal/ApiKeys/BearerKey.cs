using Microsoft.Extensions.Primitives;

namespace Datakeen.Portal.ApiKeys;

// The key of an `Authorization: Bearer dk_…` header, as the API and the gateway hook read it: exactly one
// header, the Bearer scheme, the length of a key. Anything else is no key (without looking further).
public static class BearerKey
{
    private const string BearerPrefix = "Bearer ";

    // Longer than any key with its scheme; anything beyond is refused without looking at it.
    private const int MaxHeaderLength = 128;

    public static ReadOnlyMemory<char>? Extract(StringValues headers)
    {
        if (headers.Count != 1 || headers[0] is not { } value || value.Length > MaxHeaderLength ||
            !value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = value.AsMemory(BearerPrefix.Length).Trim();
        return token.Length == KeyFormat.Length ? token : null;
    }
}
