using System.Globalization;
using System.Security.Claims;
using Datakeen.Portal.Auth.Sessions;
using Datakeen.Portal.Infrastructure;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Datakeen.Portal.Auth;

// Cookie + OpenID Connect sign-in for the pages. Every page needs a signed-in user; the HTTP API,
// health and OpenAPI endpoints are left alone here (the API authenticates with keys, not cookies).
public static class AuthServiceCollectionExtensions
{
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string OidcScheme = OpenIdConnectDefaults.AuthenticationScheme;
    private const string ChallengeScheme = "PortalChallenge";

    // Outside Development the cookie is __Host- prefixed (Secure, no Domain, Path=/: no sibling subdomain can
    // set or shadow it) and Secure whatever scheme the request seems to have.
    public const string SessionCookieName = "__Host-Datakeen.Portal.Session";
    public const string DevelopmentSessionCookieName = "Datakeen.Portal.Session";

    // When a step-up challenge was sent (Unix seconds, in the protected state that comes back to the callback).
    private const string StepUpChallengedAt = "datakeen.stepup_challenged_at";

    public static IServiceCollection AddPortalAuth(this IServiceCollection services, IConfiguration configuration,
        IHostEnvironment environment)
    {
        var oidc = OidcSettings.From(configuration);
        var relaxedTransport = environment.IsDevelopment() || environment.IsEnvironment("Testing");

        services.AddHttpContextAccessor();
        services.AddScoped<CurrentActor>();
        services.TryAddEnumerable(ServiceDescriptor.Scoped<CircuitHandler, ActorCircuitHandler>());
        services.AddSingleton<UserSignIn>();
        services.AddSingleton(oidc);

        var authentication = services.AddAuthentication(options =>
            {
                options.DefaultScheme = CookieScheme;
                options.DefaultChallengeScheme = ChallengeScheme;
            })
            // Pages go to the provider; API calls (and everything when no provider is configured) get the
            // cookie challenge, which answers 401 to the API instead of redirecting it.
            .AddPolicyScheme(ChallengeScheme, null, options => options.ForwardDefaultSelector = context =>
                oidc.IsConfigured && !PortalPaths.IsApi(context.Request.Path) ? OidcScheme : CookieScheme)
            .AddCookie(CookieScheme, options =>
            {
                options.Cookie.Name = relaxedTransport ? DevelopmentSessionCookieName : SessionCookieName;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Cookie.Path = "/";
                options.Cookie.SecurePolicy = relaxedTransport ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.LoginPath = "/authentication/login";
                options.AccessDeniedPath = "/not-found";
                options.Events.OnRedirectToLogin = context => RedirectOrStatus(context, StatusCodes.Status401Unauthorized);
                options.Events.OnRedirectToAccessDenied = context => RedirectOrStatus(context, StatusCodes.Status403Forbidden);
            });

        if (oidc.IsConfigured)
        {
            authentication.AddOpenIdConnect(OidcScheme, options => ConfigureOidc(options, oidc, relaxedTransport));
        }

        services.AddPortalSessions(configuration, CookieScheme);
        services.AddHsts(options =>
        {
            options.MaxAge = TimeSpan.FromDays(365);
            options.IncludeSubDomains = true;
        });

        // Pages (PortalPolicies.SignedIn, applied to every page by Components/Pages/_Imports.razor) and the
        // fallback for endpoints that say nothing: a portal user is signed in. The fallback leaves the API,
        // health, OpenAPI and static assets to their own rules. The default policy stays the framework's,
        // so [Authorize(AuthenticationSchemes = ...)] on API endpoints is not tied to the portal cookie.
        services.AddAuthorizationBuilder()
            .AddPolicy(PortalPolicies.SignedIn, policy => policy
                .RequireAssertion(context => context.User.GetUserId() is not null))
            .SetFallbackPolicy(new AuthorizationPolicyBuilder()
                .RequireAssertion(context =>
                    context.User.GetUserId() is not null ||
                    (context.Resource is HttpContext http && PortalPaths.IsAnonymousInfrastructure(http)))
                .Build());
        services.AddCascadingAuthenticationState();
        return services;
    }

    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/authentication").AllowAnonymous();
        // reauthenticate=true: step-up (Auth/StepUp.cs): the provider must ask for credentials again (max_age=0,
        // prompt=login) and comes back to the same page with a fresh auth_time.
        group.MapGet("/login", (string? returnUrl, bool? reauthenticate, OidcSettings oidc, TimeProvider time) =>
            oidc.IsConfigured
                ? Results.Challenge(reauthenticate == true
                    ? StepUpChallenge(returnUrl, time)
                    : new AuthenticationProperties { RedirectUri = ReturnUrls.Sanitize(returnUrl) }, [OidcScheme])
                : Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Sign-in is not configured",
                    detail: "Set Oidc__Authority, Oidc__ClientId and Oidc__ClientSecret."));

        // POST with an antiforgery token, checked here so that a stale form gets a clear answer.
        group.MapPost("/logout", async (HttpContext http, OidcSettings oidc, IAntiforgery antiforgery) =>
        {
            if (!http.Request.HasFormContentType || !await antiforgery.IsRequestValidAsync(http))
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Sign-out was not confirmed",
                    detail: "The sign-out form has expired. Reload the page and sign out again.");
            }

            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            var properties = new AuthenticationProperties { RedirectUri = ReturnUrls.Sanitize(form["returnUrl"]) };
            return http.User.Identity?.IsAuthenticated == true && oidc.IsConfigured
                ? Results.SignOut(properties, [CookieScheme, OidcScheme])
                : Results.SignOut(properties, [CookieScheme]);
        }).DisableAntiforgery();
        app.MapBackChannelLogout();
        return app;
    }

    private static OpenIdConnectChallengeProperties StepUpChallenge(string? returnUrl, TimeProvider time)
    {
        var properties = new OpenIdConnectChallengeProperties
        {
            RedirectUri = ReturnUrls.Sanitize(returnUrl), MaxAge = TimeSpan.Zero, Prompt = "login",
        };
        properties.Items[StepUpChallengedAt] = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return properties;
    }

    // After a step-up challenge (max_age=0), the provider must say that credentials were entered since: an
    // auth_time older than the challenge, or none, is a provider that ignored max_age, and the sign-in fails
    // (the session the browser had stays as it was).
    private static bool AnswersStepUp(TokenValidatedContext context)
    {
        if (context.Properties?.Items.TryGetValue(StepUpChallengedAt, out var value) != true ||
            !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var challengedAt))
        {
            return true;
        }

        return SessionTicketStore.AuthTimeOf(context.Principal!) is { } authTime && authTime.ToUnixTimeSeconds() >= challengedAt;
    }

    private static void ConfigureOidc(OpenIdConnectOptions options, OidcSettings oidc, bool relaxedTransport)
    {
        options.SignInScheme = CookieScheme;
        options.Authority = oidc.Authority;
        options.ClientId = oidc.ClientId;
        options.ClientSecret = oidc.ClientSecret;
        options.ResponseType = OpenIdConnectResponseType.Code;
        // Query rather than form_post: the callback then carries SameSite=Lax cookies, also over plain http.
        options.ResponseMode = OpenIdConnectResponseMode.Query;
        options.UsePkce = true;
        options.MapInboundClaims = false;
        options.TokenValidationParameters.NameClaimType = PortalClaims.Name;
        options.TokenValidationParameters.RoleClaimType = PortalClaims.Role;
        options.SaveTokens = true; // id_token_hint at sign-out
        options.GetClaimsFromUserInfoEndpoint = true;
        options.Scope.Clear();
        options.Scope.Add("openid");
        options.Scope.Add("profile");
        options.Scope.Add("email");
        options.CallbackPath = "/signin-oidc";
        options.SignedOutCallbackPath = "/signout-callback-oidc";
        if (!string.IsNullOrWhiteSpace(oidc.MetadataAddress))
        {
            options.MetadataAddress = oidc.MetadataAddress;
        }
        options.RequireHttpsMetadata = oidc.RequireHttpsMetadata ?? !relaxedTransport;
        options.CorrelationCookie.SameSite = SameSiteMode.Lax;
        options.NonceCookie.SameSite = SameSiteMode.Lax;
        if (relaxedTransport)
        {
            options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        }

        options.Events.OnTokenValidated = async context =>
        {
            if (!AnswersStepUp(context))
            {
                context.Fail("The provider did not ask for credentials again (auth_time older than the step-up challenge).");
                return;
            }

            var signIn = context.HttpContext.RequestServices.GetRequiredService<UserSignIn>();
            var issuer = context.SecurityToken.Issuer;
            var userId = await signIn.RecordAsync(issuer, context.Principal!, ConnectionDetails.From(context.HttpContext),
                context.HttpContext.RequestAborted);
            ((ClaimsIdentity)context.Principal!.Identity!).AddClaim(new Claim(PortalClaims.UserId, userId.ToString()));
        };
        options.Events.OnTicketReceived = async context =>
        {
            CleanNameClaim((ClaimsIdentity)context.Principal!.Identity!);
            await SignInSessions.EndPresentSessionAsync(context);
        };
        options.Events.OnRemoteSignOut = ProviderLogout.OnRemoteSignOut;

        // A failed or cancelled sign-in (bad state, provider error) is shown as a page, never a 500.
        options.Events.OnRemoteFailure = context =>
        {
            var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Datakeen.Portal.Auth");
            logger.LogWarning("OpenID Connect sign-in failed: {Reason}", context.Failure?.Message);
            context.Response.Redirect("/authentication/failed");
            context.HandleResponse();
            return Task.CompletedTask;
        };
    }

    // The cookie carries the name as the portal stores it (one line, no control characters), whether it came in
    // the identity token or from the userinfo endpoint, so pages, audit rows and mail all see the same name.
    private static void CleanNameClaim(ClaimsIdentity identity)
    {
        var names = identity.FindAll(PortalClaims.Name).ToList();
        foreach (var name in names)
        {
            identity.RemoveClaim(name);
        }

        if (names.Count > 0 && UserSignIn.CleanName(names[0].Value) is { } cleaned)
        {
            identity.AddClaim(new Claim(PortalClaims.Name, cleaned));
        }
    }

    private static Task RedirectOrStatus(RedirectContext<CookieAuthenticationOptions> context, int statusCode)
    {
        if (PortalPaths.IsApi(context.Request.Path))
        {
            context.Response.StatusCode = statusCode;
        }
        else
        {
            context.Response.Redirect(context.RedirectUri);
        }
        return Task.CompletedTask;
    }
}
