using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Datakeen.Portal.DevIdentity;

// The plain HTML sign-in form. The POST is antiforgery-validated by the framework (form binding).
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/account/login", (HttpContext http, IAntiforgery antiforgery, string? returnUrl) =>
            Page(http, antiforgery, LocalOrRoot(returnUrl), email: null, error: null, StatusCodes.Status200OK));

        app.MapPost("/account/login", async (HttpContext http, IAntiforgery antiforgery, DevUserStore users,
            [FromForm] string? email, [FromForm] string? password, [FromForm] string? returnUrl) =>
        {
            var target = LocalOrRoot(returnUrl);
            var user = users.Validate(email, password);
            if (user is null)
            {
                return Page(http, antiforgery, target, email, "Invalid email or password.", StatusCodes.Status400BadRequest);
            }

            // auth_time: when credentials were entered (step-up at the portal checks it); sid: this provider session.
            var identity = new ClaimsIdentity(
            [
                new Claim(Claims.Subject, user.Subject), new Claim(Claims.Name, user.Name),
                new Claim(Claims.AuthenticationTime, DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                    ClaimValueTypes.Integer64),
                new Claim("sid", Guid.NewGuid().ToString("N")),
            ], DevIdentityProgram.SessionScheme, Claims.Name, Claims.Role);
            await http.SignInAsync(DevIdentityProgram.SessionScheme, new ClaimsPrincipal(identity));
            return Results.Redirect(target);
        });
        return app;
    }

    private static IResult Page(HttpContext http, IAntiforgery antiforgery, string returnUrl, string? email, string? error,
        int statusCode)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var html = SignInPage.Render(tokens.FormFieldName, tokens.RequestToken ?? "", returnUrl, email, error);
        return Results.Content(html, "text/html; charset=utf-8", statusCode: statusCode);
    }

    // Only this provider's own paths: never an open redirect.
    private static string LocalOrRoot(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl[0] == '/' &&
        (returnUrl.Length == 1 || (returnUrl[1] != '/' && returnUrl[1] != '\\'))
            ? returnUrl
            : "/";
}
