using Datakeen.Portal.Infrastructure;

namespace Datakeen.Portal.SecretScanning;

// POST /api/v1/secret-scanning/github: GitHub's secret-scanning partner endpoint (docs/leak-reports.md).
// Authenticated by GitHub's ECDSA signature over the raw body, not by a key or a session.
public static class LeakReportEndpoints
{
    public const string KeyIdentifierHeader = "Github-Public-Key-Identifier";
    public const string SignatureHeader = "Github-Public-Key-Signature";
    public const string InvalidSignature = ApiErrors.Codes.InvalidSignature;
    public const int MaxBodyBytes = 1024 * 1024;
    public const string OperationName = "GitHubSecretScanningReport";

    public static IEndpointRouteBuilder MapLeakReportEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapPost("/secret-scanning/github", ReceiveAsync)
            .AllowAnonymous()
            .WithName(OperationName)
            .WithSummary("Leak report from GitHub secret scanning")
            .WithDescription(
                "GitHub's secret scanning partner format: a JSON array of { token, type, url, source }, signed with ECDSA P-256/SHA-256 " +
                "(headers 'Github-Public-Key-Identifier' and 'Github-Public-Key-Signature', base64 DER, over the raw body). " +
                "A leaked Test secret is revoked and replaced at once; a Production secret is marked exposed. Answers one " +
                "{ token_hash, token_type, label } per token. Repeating a report changes nothing.")
            .WithTags("Secret scanning")
            .Produces<IReadOnlyList<LeakReportFeedback>>()
            .ProducesApiErrors(ApiErrors.InvalidRequest, ApiErrors.InvalidSignature, ApiErrors.PayloadTooLarge);
        return api;
    }

    private static async Task<IResult> ReceiveAsync(HttpContext context, GitHubPublicKeys publicKeys, LeakResponder responder,
        CancellationToken ct)
    {
        var body = await ReadBodyAsync(context.Request, ct);
        if (body is null)
        {
            return ApiProblem.Result(ApiErrors.PayloadTooLarge, $"A leak report is limited to {MaxBodyBytes} bytes.");
        }

        if (!await IsSignedByGitHubAsync(context.Request, body, publicKeys, ct))
        {
            return ApiProblem.Result(ApiErrors.InvalidSignature,
                $"The report must be signed by a current GitHub secret-scanning key: send '{KeyIdentifierHeader}' and " +
                $"'{SignatureHeader}' (base64 DER ECDSA P-256/SHA-256 over the exact body). Nothing was changed.");
        }

        var entries = LeakReportRequest.TryParse(body);
        if (entries is null)
        {
            return ApiProblem.Result(ApiErrors.InvalidRequest,
                $"The body must be a JSON array (at most {LeakReportRequest.MaxTokensPerReport} entries) of " +
                "{ \"token\", \"type\", \"url\", \"source\" } with a non-empty token.");
        }

        return TypedResults.Ok(await responder.RespondAsync(entries, ct));
    }

    private static async Task<bool> IsSignedByGitHubAsync(HttpRequest request, byte[] body, GitHubPublicKeys publicKeys,
        CancellationToken ct)
    {
        var keyIdentifier = request.Headers[KeyIdentifierHeader].ToString();
        var signatureText = request.Headers[SignatureHeader].ToString();
        if (keyIdentifier.Length is 0 or > 256 || signatureText.Length is 0 or > 1024)
        {
            return false;
        }

        var signature = new byte[signatureText.Length];
        if (!Convert.TryFromBase64String(signatureText, signature, out var written))
        {
            return false;
        }

        var pem = await publicKeys.FindAsync(keyIdentifier, ct);
        return pem is not null && GitHubPublicKeys.Verify(pem, body, signature.AsSpan(0, written));
    }

    // The raw bytes, exactly as signed; null when over the limit.
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
