using Datakeen.Portal.Infrastructure;

namespace Datakeen.Portal.Credits;

// RFC 9457 problem details of the credit endpoints, each with a stable "code" member.
public static class CreditProblems
{
    public const string MissingIdempotencyKey = ApiErrors.Codes.MissingIdempotencyKey;
    public const string InvalidRequest = ApiErrors.Codes.InvalidRequest;
    public const string InsufficientCredits = ApiErrors.Codes.InsufficientCredits;
    public const string IdempotencyConflict = ApiErrors.Codes.IdempotencyConflict;
    public const string IdempotencyKeyReused = ApiErrors.Codes.IdempotencyKeyReused;
    public const string PayloadTooLarge = ApiErrors.Codes.PayloadTooLarge;
    public const string UnsupportedMediaType = ApiErrors.Codes.UnsupportedMediaType;

    public static CreditProblem Missing() => new(StatusCodes.Status400BadRequest, MissingIdempotencyKey, "Idempotency-Key required",
        "Send an 'Idempotency-Key' header (1 to 255 printable ASCII characters, e.g. a UUID) so a retried request is never charged twice.");

    public static CreditProblem Invalid(string detail) =>
        new(StatusCodes.Status400BadRequest, InvalidRequest, "Invalid request", detail);

    public static CreditProblem Insufficient(long amount, string environment) =>
        new(StatusCodes.Status402PaymentRequired, InsufficientCredits, "Insufficient credits",
            $"The {environment} balance is below {amount}; nothing was debited.");

    public static CreditProblem Conflict() => new(StatusCodes.Status409Conflict, IdempotencyConflict, "Request in progress",
        "A request with this Idempotency-Key is still being processed. Retry later to get its result.");

    public static CreditProblem Reused() => new(StatusCodes.Status422UnprocessableEntity, IdempotencyKeyReused,
        "Idempotency-Key reused", "This Idempotency-Key was already used for a different request. Use a new key for a new request.");

    public static CreditProblem TooLarge(int limit) => new(StatusCodes.Status413PayloadTooLarge, PayloadTooLarge, "Body too large",
        $"The request body is limited to {limit} bytes.");

    public static CreditProblem WrongMediaType() => new(StatusCodes.Status415UnsupportedMediaType, UnsupportedMediaType,
        "Unsupported media type", "Send the body as JSON with 'Content-Type: application/json'.");
}

public sealed record CreditProblem(int Status, string Code, string Title, string Detail)
{
    public IResult ToResult() => ApiProblem.Result(Status, Code, Title, Detail);
}
