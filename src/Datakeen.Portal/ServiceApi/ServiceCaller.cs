namespace Datakeen.Portal.ServiceApi;

// The calling service of a request authenticated by a service token, as its own type (like VerifiedKey for a
// customer key): the "ServiceToken" handler stores it in the request's features, the verify endpoint reads it for
// the client's rate limit and the key's activity. NotBefore/Expires are the token's, for the handler's cache.
public sealed class ServiceCaller(string client, DateTime? notBefore, DateTime? expires)
{
    public string Client { get; } = client;

    // The client's bucket in IRateWindows, built once per token rather than once per request.
    public string RateBucket { get; } = "service-client:" + client;

    public DateTime? NotBefore { get; } = notBefore;

    public DateTime? Expires { get; } = expires;
}

public static class ServiceCallerFeature
{
    internal static void SetServiceCaller(this HttpContext context, ServiceCaller caller) => context.Features.Set(caller);

    // For endpoints behind ServiceTokenAuthentication.VerifyPolicy: authorization only lets an authenticated caller through.
    public static ServiceCaller GetServiceCaller(this HttpContext context) =>
        context.Features.Get<ServiceCaller>()
        ?? throw new InvalidOperationException("This endpoint must require the service token's policy.");
}
