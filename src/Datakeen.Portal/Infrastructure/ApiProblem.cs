using System.Text.Json;

namespace Datakeen.Portal.Infrastructure;

// The API's one shape of error: RFC 9457 problem details (application/problem+json) with a stable
// "code" member that clients can branch on, a "type" linking to that code's entry of the error reference,
// and the "requestId" of the answer (also its Request-Id header).
public static class ApiProblem
{
    public const string ContentType = "application/problem+json";

    public static IResult Result(int status, string code, string title, string detail) =>
        new ProblemResult(status, code, title, detail);

    public static IResult Result(ApiError error, string detail) => Result(error.Status, error.Code, error.Title, detail);

    // The problem as JSON text, for an answer that is stored and replayed byte for byte (with the first
    // request's id): the one writer of stored problems, as Result is of live ones.
    public static string Json(int status, string code, string title, string detail, string requestId) =>
        JsonSerializer.Serialize(Body(status, code, title, detail, requestId));

    // The body as members, for problems that are stored and replayed as they were first written.
    public static Dictionary<string, object?> Body(int status, string code, string title, string detail, string requestId) => new()
    {
        ["type"] = ApiErrors.TypeOf(code),
        ["title"] = title,
        ["status"] = status,
        ["detail"] = detail,
        ["code"] = code,
        ["requestId"] = requestId,
    };

    private sealed class ProblemResult(int status, string code, string title, string detail)
        : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
    {
        public int? StatusCode => status;

        public string ContentType => ApiProblem.ContentType;

        public Task ExecuteAsync(HttpContext httpContext) =>
            TypedResults.Problem(
                statusCode: status,
                title: title,
                detail: detail,
                type: ApiErrors.TypeOf(code),
                extensions: new Dictionary<string, object?> { ["code"] = code, ["requestId"] = ApiRequestId.Of(httpContext) })
                .ExecuteAsync(httpContext);
    }
}
