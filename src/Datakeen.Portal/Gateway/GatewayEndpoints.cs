using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Infrastructure;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.Gateway;

// GET /gateway/authorize: the auth_request hook of the reverse proxy in front of the Journey and Documents
// APIs (deploy/gateway/). It verifies the customer's `Authorization: Bearer dk_…` like the portal's own API
// does (KeyAdmission) and answers 204 with who the caller is, or the API's problem (401/403/429). A public key
// passes only on the routes the gateway marks as public-key routes. nginx drops the body of
// an auth subrequest, so a refusal's problem JSON is also sent in X-Datakeen-Problem for the proxy to return
// as it is (docs/gateway.md).
public static class GatewayEndpoints
{
    public const string SecretHeader = "X-Gateway-Secret";
    public const string ClientAddressHeader = "X-Real-IP";
    public const string WorkspaceHeader = "X-Datakeen-Workspace-Id";
    public const string EnvironmentHeader = "X-Datakeen-Environment";
    public const string KeyTypeHeader = "X-Datakeen-Key-Type";
    public const string ProblemHeader = "X-Datakeen-Problem";

    // Set by the gateway from its route table (deploy/gateway/): "1" on a route a public key may call.
    public const string PublicKeyRouteHeader = "X-Datakeen-Public-Key-Route";

    // Set by the gateway: the path the customer called (recorded in the key's activity as the upstream route).
    public const string UpstreamPathHeader = "X-Datakeen-Upstream-Path";

    // Answered for a public key whose allow-list names the request's Origin: the proxy's CORS answer names it.
    public const string AllowOriginHeader = "X-Datakeen-Allow-Origin";

    public static IServiceCollection AddGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<GatewayOptions>(configuration, GatewayOptions.SectionName);
        return services;
    }

    public static IEndpointRouteBuilder MapGatewayEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/gateway/authorize", AuthorizeAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task AuthorizeAsync(HttpContext context, IOptionsMonitor<GatewayOptions> options,
        KeyAdmission admission)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (!IsGateway(context.Request, options.CurrentValue.SharedSecret))
        {
            // Not the gateway: nothing here for anyone else.
            await ApiProblem.Result(StatusCodes.Status404NotFound, "not_found", "Not found",
                "There is nothing at this address.").ExecuteAsync(context);
            return;
        }

        // Behind the proxy the connection is the proxy's: the customer's address comes from the proxy, which
        // proved itself with the secret.
        var client = context.Request.Headers[ClientAddressHeader].ToString() is { Length: > 0 and <= 64 } address
            ? address
            : context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        // The API's own admission (KeyAdmission): the gateway and the API cannot disagree about a key.
        var headers = context.Request.Headers;
        var request = new AdmissionRequest(client, "gateway",
            headers[UpstreamPathHeader] is { Count: 1 } path ? path.ToString() : null,
            headers.Origin.Count == 0 ? null : headers.Origin.ToString(),
            headers.UserAgent.Count == 0 ? null : headers.UserAgent.ToString(), ApiRequestId.Of(context));
        var verdict = await admission.AdmitAsync(headers.Authorization, request, context.RequestAborted);
        if (!verdict.IsAdmitted)
        {
            if (verdict.Refusal == AdmissionRefusal.OriginNotAllowed)
            {
                await RefuseAsync(context, ApiKeyProblems.OriginForbidden());
            }
            else if (verdict.Refusal == AdmissionRefusal.InvalidKey)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await RefuseAsync(context, ApiKeyProblems.Unauthorized());
            }
            else
            {
                await RefuseAsync(context, TooManyRequests(context, verdict.RetryAfter));
            }

            return;
        }

        var key = verdict.Key!;
        if (key.Kind == KeyKind.Public && context.Request.Headers[PublicKeyRouteHeader] != "1")
        {
            // A public key is for the routes browser code calls; anything else is server-to-server.
            await RefuseAsync(context, ApiKeyProblems.PublicKeyForbidden());
            return;
        }

        context.Response.Headers[WorkspaceHeader] = key.WorkspaceId.ToString("D");
        context.Response.Headers[EnvironmentHeader] = ApiKeyClaims.EnvironmentValue(key.Environment);
        context.Response.Headers[KeyTypeHeader] = ApiKeyClaims.KeyTypeValue(key.Kind);
        if (verdict.CorsOrigin is { } origin)
        {
            context.Response.Headers[AllowOriginHeader] = origin;
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static IResult TooManyRequests(HttpContext context, TimeSpan retryAfter)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return ApiKeyProblems.TooManyRequests(retryAfter);
    }

    // The problem as the API writes it, as the body and, for the proxy, in a header too.
    private static async Task RefuseAsync(HttpContext context, IResult problem)
    {
        var body = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await problem.ExecuteAsync(context);
        }
        finally
        {
            context.Response.Body = body;
        }

        context.Response.Headers[ProblemHeader] = AsciiHeaderValue(buffer.ToArray());
        context.Response.ContentLength = buffer.Length;
        buffer.Position = 0;
        await buffer.CopyToAsync(body, context.RequestAborted);
    }

    // JSON stays JSON when anything outside printable ASCII is written as a \u escape (header values are ASCII).
    private static string AsciiHeaderValue(byte[] utf8Json)
    {
        var json = Encoding.UTF8.GetString(utf8Json);
        var ascii = new StringBuilder(json.Length);
        foreach (var c in json)
        {
            if (c is >= ' ' and <= '~')
            {
                ascii.Append(c);
            }
            else
            {
                ascii.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
        }

        return ascii.ToString();
    }

    private static bool IsGateway(HttpRequest request, string? secret)
    {
        if (string.IsNullOrEmpty(secret) || request.Headers[SecretHeader] is not { Count: 1 } values)
        {
            return false;
        }

        // Digests have one length, so the comparison takes the same time whatever was sent. The secret's own
        // digest is computed once per configured secret, the header's into the stack (no allocation per request).
        var expected = SecretDigest.Of(secret);
        var sent = values[0] ?? "";
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        Utf8Sha256.Hash(sent, digest);
        return CryptographicOperations.FixedTimeEquals(digest, expected);
    }

    // The configured secret's digest, recomputed only when the options hand out another secret.
    private sealed class SecretDigest(string secret, byte[] digest)
    {
        private static SecretDigest? current;

        private string Secret { get; } = secret;

        private byte[] Digest { get; } = digest;

        public static byte[] Of(string secret)
        {
            var known = Volatile.Read(ref current);
            if (known is null || !string.Equals(known.Secret, secret, StringComparison.Ordinal))
            {
                known = new SecretDigest(secret, SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
                Volatile.Write(ref current, known);
            }

            return known.Digest;
        }
    }
}
