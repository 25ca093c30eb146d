namespace Datakeen.Portal.Notifications;

public static class NotificationsServiceCollectionExtensions
{
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<SmtpOptions>(configuration.GetSection(SmtpOptions.SectionName));
        services.AddSingleton<AdminMail>();
        services.AddSingleton<MailPreferences>();
        services.AddHostedService<OutboxSender>();
        return services;
    }
}
