using System.Globalization;
using System.Security.Claims;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Infrastructure.Scaling;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.ServiceApi;

// The calling service of a service token, and its request budget on the verify API: a fixed one-minute window
// per client (ServiceApi:RequestsPerMinutePerClient), counted in IRateWindows, so one budget for all instances
// when Redis is configured. 429 with Retry-After beyond it.
public static class ServiceClients
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    // RFC 9068 `client_id`; `azp` (OpenID Connect, Keycloak) where it is the one sent.
    public static string? Of(ClaimsPrincipal principal) =>
        principal.FindFirst("azp")?.Value is { Length: > 0 } azp ? azp
        : principal.FindFirst("client_id")?.Value is { Length: > 0 } clientId ? clientId
        : null;

    // Counts the call against its client's budget: the 429 problem (with Retry-After) when over it, else null. Called
    // first by the endpoint: an endpoint filter did the same at about 7 % of verify's CPU (docs/benchmarks.md).
    public static async ValueTask<IResult?> OverLimitAsync(HttpContext http, ServiceCaller caller, IRateWindows windows,
        IOptionsMonitor<ServiceApiOptions> options)
    {
        var count = await windows.IncrementAsync(caller.RateBucket, Window, http.RequestAborted);
        if (count.Count <= options.CurrentValue.RequestsPerMinutePerClient)
        {
            return null;
        }

        var seconds = Math.Max(1, (int)Math.Ceiling(count.ResetsIn.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return ApiKeyProblems.TooManyRequests(count.ResetsIn);
    }
}
