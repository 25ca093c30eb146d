using System.Data.Common;

namespace Datakeen.Portal.Infrastructure;

// The API never answers with a stack trace or an empty 500: an unexpected failure becomes a problem
// response with a stable code — 503 "service_unavailable" when the database cannot be reached (the
// client may retry), 500 "internal_error" otherwise. Runs before authentication, whose key lookups
// can be the first to meet a database outage.
public static class ApiErrorGuard
{
    public static IApplicationBuilder UseApiErrorGuard(this IApplicationBuilder app) =>
        app.UseWhen(
            context => PortalPaths.IsApi(context.Request.Path),
            api => api.Use(async (context, next) =>
            {
                try
                {
                    await next();
                }
                catch (Exception ex) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
                {
                    var unavailable = IsDatabaseFailure(ex);
                    var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiErrorGuard));
                    // The exception type and message only: request headers (the key) are never logged.
                    logger.LogError("API request {Method} {Path} failed: {ExceptionType}: {Message}",
                        context.Request.Method, context.Request.Path, ex.GetType().Name, ex.Message);

                    context.Response.Clear();
                    if (unavailable)
                    {
                        context.Response.Headers.RetryAfter = "5";
                    }

                    await (unavailable
                        ? ApiProblem.Result(StatusCodes.Status503ServiceUnavailable, "service_unavailable", "Service unavailable",
                            "The service cannot reach its database right now. Nothing was changed; retry in a few seconds.")
                        : ApiProblem.Result(StatusCodes.Status500InternalServerError, "internal_error", "Internal error",
                            "The request failed unexpectedly. Nothing was charged twice; retry with the same Idempotency-Key."))
                        .ExecuteAsync(context);
                }
            }));

    private static bool IsDatabaseFailure(Exception ex)
    {
        for (var current = ex; current is not null; current = current.InnerException)
        {
            if (current is DbException or TimeoutException || current.GetType().Name == "RetryLimitExceededException")
            {
                return true;
            }
        }

        return false;
    }
}
