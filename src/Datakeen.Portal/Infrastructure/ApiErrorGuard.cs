using System.Data.Common;

namespace Datakeen.Portal.Infrastructure;

// The API never answers with a stack trace or an empty 500: an unexpected failure becomes a problem
// response with a stable code — 503 "service_unavailable" when the database cannot be reached (the
// client may retry), 500 "internal_error" otherwise. Runs before authentication, whose key lookups
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
                    var unavailable = IsDatabaseFailure(ex);
                    var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiErrorGuard));
                    // The exception type and message only: request headers (the key) are never logged.
                    logger.LogError("API request {Method} {Path} failed: {ExceptionType}: {Message}",
                        context.Request.Method, context.Request.Path, ex.GetType().Name, ex.Message);

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
                            "The request failed unexpectedly. Nothing was charged twice; retry with the same Idempotency-Key."))
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
