namespace Datakeen.Portal.Infrastructure;

// Every API answer carries a Request-Id header (and problems a "requestId" member) that support can find in
// the logs: it is the request's TraceIdentifier, which ASP.NET Core already writes into every log scope.
public static class ApiRequestId
{
    public const string HeaderName = "Request-Id";

    public static void Assign(HttpContext context)
    {
        // Our own id, never the client's: a caller-chosen id could collide with another request's on purpose.
        context.TraceIdentifier = Guid.CreateVersion7().ToString("N");
        context.Response.Headers[HeaderName] = context.TraceIdentifier;
    }

    public static string Of(HttpContext context) => context.TraceIdentifier;

    // Response.Clear() drops headers: puts the id back.
    public static void Restore(HttpContext context) => context.Response.Headers[HeaderName] = context.TraceIdentifier;
}
