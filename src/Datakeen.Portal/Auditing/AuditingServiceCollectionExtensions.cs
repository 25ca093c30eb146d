namespace Datakeen.Portal.Auditing;

public static class AuditingServiceCollectionExtensions
{
    public static IServiceCollection AddAuditing(this IServiceCollection services) =>
        services.AddSingleton<AuditLog>();
}
