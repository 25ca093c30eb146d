using Microsoft.Extensions.Options;

namespace Datakeen.Portal.Notifications;

public static class NotificationsServiceCollectionExtensions
{
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SmtpOptions>().Bind(configuration.GetSection(SmtpOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidation>();
        services.AddSingleton<AdminMail>();
        services.AddSingleton<MailPreferences>();
        services.AddSingleton<MailAddresses>();
        services.AddHostedService<OutboxSender>();
        return services;
    }
}
