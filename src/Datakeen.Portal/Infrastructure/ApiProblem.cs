namespace Datakeen.Portal.Infrastructure;

// The API's one shape of error: RFC 9457 problem details (application/problem+json) with a stable
// "code" member that clients can branch on.
public static class ApiProblem
{
    public static IResult Result(int status, string code, string title, string detail) =>
        TypedResults.Problem(
            statusCode: status,
            title: title,
            detail: detail,
            extensions: new Dictionary<string, object?> { ["code"] = code });
}
