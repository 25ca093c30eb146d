using Datakeen.Portal.Infrastructure;
namespace Datakeen.Portal.Notifications;

public static class NotificationsServiceCollectionExtensions
{
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<SmtpOptions>(configuration, SmtpOptions.SectionName);
        services.AddSingleton<AdminMail>();
        services.AddSingleton<MailPreferences>();
        services.AddHostedService<OutboxSender>();
        return services;
    }
}
