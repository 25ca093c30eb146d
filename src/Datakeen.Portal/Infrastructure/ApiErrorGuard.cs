using System.Data.Common;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace Datakeen.Portal.Infrastructure;

// The API never answers with a stack trace or an empty 500: an unexpected failure becomes a problem
// response with a stable code — 503 "service_unavailable" when the database cannot be reached (the
// client may retry), 500 "internal_error" otherwise. Runs before authentication, whose key lookups
// can be the first to meet a database outage.
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
                    var unavailable = IsDatabaseFailure(ex);
                    var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiErrorGuard));
                    // The exception type and message only: request headers (the key) are never logged.
                    logger.LogError("API request {Method} {Path} failed: {ExceptionType}: {Message}",
                        context.Request.Method, context.Request.Path, ex.GetType().Name, ex.Message);

                    context.Response.Clear();
                    context.Response.StatusCode = unavailable ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status500InternalServerError;
                    if (unavailable)
                    {
                        context.Response.Headers.RetryAfter = "5";
                    }

                    var problem = new ProblemDetails
                    {
                        Status = context.Response.StatusCode,
                        Title = unavailable ? "Service unavailable" : "Internal error",
                        Detail = unavailable
                            ? "The service cannot reach its database right now. Nothing was changed; retry in a few seconds."
                            : "The request failed unexpectedly. Nothing was charged twice; retry with the same Idempotency-Key.",
                        Extensions = { ["code"] = unavailable ? "service_unavailable" : "internal_error" },
                    };
                    if (context.Features.Get<IHttpActivityFeature>()?.Activity is { } activity)
                    {
                        problem.Extensions["traceId"] = activity.TraceId.ToString();
                    }

                    await context.Response.WriteAsJsonAsync(problem, options: null, contentType: "application/problem+json");
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
