namespace Datakeen.Portal.Infrastructure;

// The one periodic-job style of the portal: a BackgroundService ticking on a PeriodicTimer (on the
// injected TimeProvider, so tests drive it with a fake clock). A failed run is logged and the next tick
// runs again; the job never stops the host.
public abstract class PeriodicJob(TimeProvider time, ILogger logger) : BackgroundService
{
    protected abstract TimeSpan Interval { get; }

    // Also run once right at start-up, before the first tick.
    protected virtual bool RunsAtStart => false;

    protected abstract Task RunAsync(CancellationToken ct);

    // After the last tick, when the host stops (e.g. a final flush).
    protected virtual Task StoppedAsync() => Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        if (RunsAtStart)
        {
            await RunSafelyAsync(stoppingToken);
        }

        while (await WaitAsync(timer, stoppingToken))
        {
            await RunSafelyAsync(stoppingToken);
        }

        await StoppedAsync();
    }

    private async Task RunSafelyAsync(CancellationToken ct)
    {
        try
        {
            await RunAsync(ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "The periodic job {Job} failed; it runs again at the next tick", GetType().Name);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
