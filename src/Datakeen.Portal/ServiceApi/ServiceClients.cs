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

    public static TBuilder RequireClientRateLimit<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var limit = http.RequestServices.GetRequiredService<IOptionsMonitor<ServiceApiOptions>>().CurrentValue.RequestsPerMinutePerClient;
            var client = Of(http.User) ?? "unknown";
            var count = await http.RequestServices.GetRequiredService<IRateWindows>()
                .IncrementAsync("service-client:" + client, Window, http.RequestAborted);
            if (count.Count > limit)
            {
                var seconds = Math.Max(1, (int)Math.Ceiling(count.ResetsIn.TotalSeconds));
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return ApiKeyProblems.TooManyRequests(count.ResetsIn);
            }

            return await next(context);
        });
}
