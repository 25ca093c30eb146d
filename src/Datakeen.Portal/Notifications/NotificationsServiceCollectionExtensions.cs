using Datakeen.Portal.Infrastructure;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.Notifications;

public static class NotificationsServiceCollectionExtensions
{
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<SmtpOptions>(configuration, SmtpOptions.SectionName);
        services.AddSingleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidation>();
        services.AddSingleton<AdminMail>();
        services.AddSingleton<MailPreferences>();
        services.AddSingleton<MailAddresses>();
        services.AddHostedService<OutboxSender>();
        return services;
    }
}
