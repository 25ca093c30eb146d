using System.Data.Common;
using Datakeen.Portal.Data;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.Testing;

// A test host's own window on the key verifier's cache: counts the key lookups (queries of api_keys) that
// reach PostgreSQL, and can hold the next one until released. The product has no counter for tests.
public sealed class KeyLookupCounter : DbCommandInterceptor
{
    private int _count;
    private TaskCompletionSource? _held;
    private TaskCompletionSource? _release;

    public int Count => Volatile.Read(ref _count);

    // Completes when the lookup armed by HoldNext has reached the database.
    public Task Held => _held?.Task ?? Task.CompletedTask;

    // Registers the counter on the portal's contexts (PortalFactory.TestServices / PortalHost).
    public void AddTo(IServiceCollection services) =>
        services.ConfigureDbContext<PortalDbContext>(options => options.AddInterceptors(this));

    public TaskCompletionSource HoldNext()
    {
        _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _release = release;
        return release;
    }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command,
        CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        if (command.CommandText.Contains("FROM api_keys", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _count);
            if (Interlocked.Exchange(ref _release, null) is { } release)
            {
                _held!.SetResult();
                await release.Task;
            }
        }

        return result;
    }
}
