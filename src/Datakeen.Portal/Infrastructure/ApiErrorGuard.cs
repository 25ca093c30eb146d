using System.Net.Sockets;
using Npgsql;

namespace Datakeen.Portal.Infrastructure;

// The API never answers with a stack trace or an empty 500: an unexpected failure becomes a problem
// response with a stable code — 503 "service_unavailable" only when the database cannot be reached (the
// client may retry), 500 "internal_error" with its request id otherwise (a statement PostgreSQL refused is a
// bug to look up in the log, not an outage to page about). Runs before authentication, whose key lookups
// can be the first to meet a database outage. It also gives every API answer its Request-Id, and answers
// unknown /api paths (404 "not_found") and wrong methods (405 "method_not_allowed") as problems.
public static class ApiErrorGuard
{
    public static IApplicationBuilder UseApiErrorGuard(this IApplicationBuilder app) =>
        app.UseWhen(
            context => PortalPaths.IsApi(context.Request.Path),
            api => api.Use(async (context, next) =>
            {
                ApiRequestId.Assign(context);
                try
                {
                    await next();
                    await AnswerUnroutedAsync(context);
                }
                catch (Exception ex) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
                {
                    var unavailable = IsDatabaseUnreachable(ex);
                    var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiErrorGuard));
                    // The exception type, SQLSTATE and message only: request headers (the key) are never logged.
                    logger.LogError("API request {Method} {Path} failed ({RequestId}): {ExceptionType} {SqlState}: {Message}",
                        context.Request.Method, context.Request.Path, ApiRequestId.Of(context), ex.GetType().Name,
                        SqlStateOf(ex), ex.Message);

                    context.Response.Clear();
                    ApiRequestId.Restore(context);
                    if (unavailable)
                    {
                        context.Response.Headers.RetryAfter = "5";
                    }

                    await (unavailable
                        ? ApiProblem.Result(ApiErrors.ServiceUnavailable,
                            "The service cannot reach its database right now. Nothing was changed; retry in a few seconds.")
                        : ApiProblem.Result(ApiErrors.InternalError,
                            "The request failed unexpectedly. Nothing was charged twice; retry with the same Idempotency-Key, " +
                            "or quote the requestId to support."))
                        .ExecuteAsync(context);
                }
            }));

    // Routing answers an unknown path with a bare 404 (no endpoint) and a known path with another method with a
    // bare 405 (its own endpoint, which also sets Allow): both become problems, like every other refusal.
    private static Task AnswerUnroutedAsync(HttpContext context)
    {
        var response = context.Response;
        if (response.HasStarted || response.ContentLength > 0 || response.ContentType is not null)
        {
            return Task.CompletedTask;
        }

        if (response.StatusCode == StatusCodes.Status404NotFound && context.GetEndpoint() is null &&
            context.RequestServices.GetRequiredService<ApiRoutes>().MethodsOf(context.Request.Path) is { Count: > 0 } allowed)
        {
            // Routing leaves some of these as a bare 404 (no endpoint) instead of its 405.
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = string.Join(", ", allowed);
        }

        return response.StatusCode switch
        {
            StatusCodes.Status404NotFound when context.GetEndpoint() is null => ApiProblem.Result(ApiErrors.NotFound,
                $"There is no API operation at '{Shorten(context.Request.Path.Value)}'. See {ApiReference.Path} for the operations.").ExecuteAsync(context),
            StatusCodes.Status405MethodNotAllowed => ApiProblem.Result(ApiErrors.MethodNotAllowed,
                $"'{Shorten(context.Request.Path.Value)}' does not accept {Shorten(context.Request.Method)}. Allowed: {response.Headers.Allow}.").ExecuteAsync(context),
            _ => Task.CompletedTask,
        };
    }

    private static string Shorten(string? value) =>
        value is null ? "" : value.Length <= 100 ? value : value[..100] + "…";

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
