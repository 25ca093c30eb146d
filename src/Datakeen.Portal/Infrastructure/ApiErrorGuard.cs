using System.Net.Sockets;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Datakeen.Portal.Infrastructure;

// The API never answers with a stack trace or an empty 500: an unexpected failure becomes a problem
// response with a stable code — 503 "service_unavailable" only when the database cannot be reached (the
// client may retry), 500 "internal_error" with the request id otherwise (a refused statement is a bug to
// look up in the log, not an outage to page about). Runs before authentication, whose key lookups can be
// the first to meet a database outage.
public static class ApiErrorGuard
{
    public static IApplicationBuilder UseApiErrorGuard(this IApplicationBuilder app) =>
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/api"),
            api => api.Use(async (context, next) =>
            {
                try
                {
                    await next();
                }
                catch (Exception ex) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
                {
                    var unavailable = IsDatabaseUnreachable(ex);
                    var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiErrorGuard));
                    // The exception type, SQLSTATE and message only: request headers (the key) are never logged.
                    logger.LogError("API request {Method} {Path} failed ({RequestId}): {ExceptionType} {SqlState}: {Message}",
                        context.Request.Method, context.Request.Path, context.TraceIdentifier, ex.GetType().Name,
                        SqlStateOf(ex), ex.Message);

                    context.Response.Clear();
                    if (unavailable)
                    {
                        context.Response.Headers.RetryAfter = "5";
                    }

                    var problem = unavailable
                        ? ApiProblem.Result(StatusCodes.Status503ServiceUnavailable, "service_unavailable", "Service unavailable",
                            "The service cannot reach its database right now. Nothing was changed; retry in a few seconds.")
                        : ApiProblem.Result(StatusCodes.Status500InternalServerError, "internal_error", "Internal error",
                            "The request failed unexpectedly. Nothing was charged twice; retry with the same Idempotency-Key, " +
                            "or quote the requestId to support.");
                    if (problem is ProblemHttpResult { ProblemDetails: var details })
                    {
                        details.Extensions["requestId"] = context.TraceIdentifier;
                    }
                    await problem.ExecuteAsync(context);
                }
            }));

    // Connection failures only: the server cannot be reached, refuses connections (starting, shutting down,
    // too many clients) or the pool timed out waiting for one. A statement PostgreSQL refused is not one.
    internal static bool IsDatabaseUnreachable(Exception ex)
    {
        for (var current = ex; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case PostgresException postgres:
                    return IsConnectionState(postgres.SqlState);
                case NpgsqlException or SocketException or TimeoutException:
                    return true;
            }
        }

        return false;
    }

    // Class 08 (connection exception), 53300 too_many_connections, 57P01–57P03 (shutdown, cannot connect now).
    private static bool IsConnectionState(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal) || sqlState is "53300" or "57P01" or "57P02" or "57P03";

    private static string? SqlStateOf(Exception ex)
    {
        for (var current = ex; current is not null; current = current.InnerException)
        {
            if (current is PostgresException postgres)
            {
                return postgres.SqlState;
            }
        }

        return null;
    }
}
