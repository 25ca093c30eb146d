using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Datakeen.Portal.DevIdentity;

// The passthrough endpoints of the OpenID Connect protocol. OpenIddict has already validated each
// request (and our handlers the client) before these run.
public static class ConnectEndpoints
{
    private const string ServerScheme = OpenIddictServerAspNetCoreDefaults.AuthenticationScheme;

    public static IEndpointRouteBuilder MapConnectEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/connect/authorize", [HttpMethods.Get, HttpMethods.Post], (Delegate)AuthorizeAsync);
        app.MapPost("/connect/token", (Delegate)TokenAsync);
        app.MapMethods("/connect/userinfo", [HttpMethods.Get, HttpMethods.Post], (Delegate)UserInfoAsync);
        app.MapMethods("/connect/logout", [HttpMethods.Get, HttpMethods.Post], (Delegate)EndSessionAsync);
        app.MapGet("/", () => Results.Content(SignInPage.Home(), "text/html; charset=utf-8"));
        return app;
    }

    private static async Task<IResult> AuthorizeAsync(HttpContext http, DevUserStore users, IOptions<DevIdentityOptions> options)
    {
        var authTimeMode = options.Value.AuthTime;
        var request = http.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        var session = await http.AuthenticateAsync(DevIdentityProgram.SessionScheme);
        var user = session.Succeeded ? users.FindBySubject(session.Principal?.FindFirst(Claims.Subject)?.Value) : null;
        var authTime = long.TryParse(session.Principal?.FindFirst(Claims.AuthenticationTime)?.Value, NumberStyles.None,
            CultureInfo.InvariantCulture, out var seconds) ? seconds : 0;
        // prompt=login, or a sign-in older than max_age: the sign-in form again, like any provider (step-up).
        var mustSignInAgain = authTimeMode != "IgnoreReauthentication" &&
                              (request.HasPromptValue(PromptValues.Login) ||
                               (request.MaxAge is { } maxAge && DateTimeOffset.UtcNow.ToUnixTimeSeconds() - authTime > maxAge));
        if (user is null || mustSignInAgain)
        {
            // Back to this very request once the person has signed in, without what asked for the sign-in
            // form (else it would ask again forever); the fresh auth_time goes into the new tokens.
            var parameters = (http.Request.HasFormContentType
                    ? http.Request.Form.Select(p => KeyValuePair.Create(p.Key, p.Value))
                    : http.Request.Query.Select(p => KeyValuePair.Create(p.Key, p.Value)))
                .Where(p => p.Key is not (Parameters.Prompt or Parameters.MaxAge))
                // A max_age the person has just satisfied stays asked for (the tokens then carry auth_time, as
                // they must), with room for the time the form took.
                .Concat(request.MaxAge is null ? [] : [KeyValuePair.Create(Parameters.MaxAge, new StringValues("600"))]);
            var returnUrl = http.Request.PathBase + http.Request.Path + QueryString.Create(parameters);
            return Results.Redirect("/account/login?returnUrl=" + Uri.EscapeDataString(returnUrl));
        }

        var identity = new ClaimsIdentity("DevIdentity", Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, user.Subject);
        if (authTimeMode != "WhenMaxAgeRequested" || request.MaxAge is not null)
        {
            identity.AddClaim(new Claim(Claims.AuthenticationTime, authTime.ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64));
        }
        if (session.Principal?.FindFirst("sid")?.Value is { } sid)
        {
            identity.SetClaim("sid", sid);
        }
        if (request.HasScope(Scopes.Email))
        {
            identity.SetClaim(Claims.Email, user.Email);
            identity.AddClaim(new Claim(Claims.EmailVerified, user.EmailVerified ? "true" : "false", ClaimValueTypes.Boolean));
        }
        if (request.HasScope(Scopes.Profile))
        {
            identity.SetClaim(Claims.Name, user.Name);
        }
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(static _ => [Destinations.AccessToken, Destinations.IdentityToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: ServerScheme);
    }

    private static async Task<IResult> TokenAsync(HttpContext http, IOptions<DevIdentityOptions> options)
    {
        var request = http.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");
        if (request.IsClientCredentialsGrantType())
        {
            // The client was authenticated by DevServiceClients.Validate.
            return Results.SignIn(DevServiceClients.PrincipalFor(request, options.Value.ServiceClients),
                authenticationScheme: ServerScheme);
        }

        // Otherwise the authorization code grant: the code carries the principal issued above.
        var result = await http.AuthenticateAsync(ServerScheme);
        return result.Principal is null
            ? Results.Forbid(authenticationSchemes: [ServerScheme])
            : Results.SignIn(result.Principal, authenticationScheme: ServerScheme);
    }

    private static async Task<IResult> UserInfoAsync(HttpContext http, DevUserStore users)
    {
        var result = await http.AuthenticateAsync(ServerScheme);
        var user = users.FindBySubject(result.Principal?.GetClaim(Claims.Subject));
        if (result.Principal is null || user is null)
        {
            return Results.Challenge(authenticationSchemes: [ServerScheme]);
        }

        var claims = new Dictionary<string, object> { [Claims.Subject] = user.Subject };
        if (result.Principal.HasScope(Scopes.Email))
        {
            claims[Claims.Email] = user.Email;
            claims[Claims.EmailVerified] = user.EmailVerified;
        }
        if (result.Principal.HasScope(Scopes.Profile))
        {
            claims[Claims.Name] = user.Name;
        }
        return Results.Ok(claims);
    }

    private static async Task<IResult> EndSessionAsync(HttpContext http)
    {
        await http.SignOutAsync(DevIdentityProgram.SessionScheme);
        // OpenIddict redirects to the validated post_logout_redirect_uri, or to RedirectUri without one.
        return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [ServerScheme]);
    }
}
