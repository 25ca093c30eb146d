using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Infrastructure;

public static class ChangeNotifications
{
    // Queues a NOTIFY on the context's connection. Inside a transaction PostgreSQL delivers it only
    // on commit, so listeners never hear of a change that was rolled back.
    public static Task NotifyAsync(this DbContext db, string channel, string payload, CancellationToken ct = default) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_notify({channel}, {payload})", ct);

    public static IServiceCollection AddChangeFeed(this IServiceCollection services)
    {
        services.AddSingleton<ChangeFeed>();
        services.AddSingleton<ChangeFeedStatus>();
        services.AddHostedService<ChangeFeedListener>();
        services.AddSingleton<CoalescedNotifier>();
        services.AddHostedService(sp => sp.GetRequiredService<CoalescedNotifier>());
        return services;
    }
}
