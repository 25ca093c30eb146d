using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace Datakeen.Portal.Infrastructure;

// The API's one shape of error and its one writer: RFC 9457 problem details (application/problem+json)
// with a stable "code" member that clients can branch on. Live answers and stored (replayed) answers are
// both built here.
public static class ApiProblem
{
    public const string ContentType = "application/problem+json";

    public static ProblemDetails Create(int status, string code, string title, string detail) => new()
    {
        Status = status,
        Title = title,
        Detail = detail,
        Extensions = { ["code"] = code },
    };

    public static IResult Result(int status, string code, string title, string detail) =>
        TypedResults.Problem(Create(status, code, title, detail));

    // The problem as JSON text, for an answer that is stored and replayed byte for byte.
    public static string Json(int status, string code, string title, string detail) =>
        JsonSerializer.Serialize(Create(status, code, title, detail), JsonSerializerOptions.Web);
}
