using Microsoft.AspNetCore.DataProtection;

namespace Datakeen.Portal.DevIdentity;

// A small OpenID Connect provider for local runs and tests only: authorization code flow with PKCE,
// users and the one client from configuration, ephemeral keys. It refuses to start outside Development.
public class DevIdentityProgram
{
    public const string SessionScheme = "DevIdentity.Session";

    public static int Main(string[] args)
    {
        try
        {
            CreateApp(args).Run();
            return 0;
        }
        catch (DevelopmentOnlyException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
    }

    public static WebApplication CreateApp(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (!builder.Environment.IsDevelopment())
        {
            throw new DevelopmentOnlyException(builder.Environment.EnvironmentName);
        }

        var options = builder.Configuration.GetSection(DevIdentityOptions.SectionName).Get<DevIdentityOptions>()
            ?? new DevIdentityOptions();
        builder.Services.Configure<DevIdentityOptions>(builder.Configuration.GetSection(DevIdentityOptions.SectionName));
        builder.Services.AddSingleton<DevUserStore>();

        // Nothing here outlives the process: a restart signs everyone out, which is fine for development.
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        builder.Services.AddAntiforgery(o => o.Cookie.Name = "DevIdentity.Antiforgery");
        builder.Services.AddAuthentication(SessionScheme)
            .AddCookie(SessionScheme, o =>
            {
                // A name of its own: the portal runs on the same host (another port) and cookies ignore ports.
                o.Cookie.Name = "DevIdentity.Session";
                o.LoginPath = "/account/login";
            });
        builder.Services.AddAuthorization();
        builder.Services.AddDevOpenIddictServer(options.Client, options.ServiceClients);

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapAccountEndpoints();
        app.MapConnectEndpoints();
        return app;
    }
}

public sealed class DevelopmentOnlyException(string environmentName) : InvalidOperationException(
    $"Datakeen.Portal.DevIdentity is a development-only OpenID Connect provider and refuses to start in the " +
    $"'{environmentName}' environment. Set ASPNETCORE_ENVIRONMENT=Development, or use a real provider " +
    "(set Oidc__Authority for the portal).");
