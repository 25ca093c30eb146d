using System.Diagnostics.Metrics;

namespace Datakeen.Portal.IntegrationTests.Credits;

// The running total of one counter, as telemetry sees it, of the services created by one IMeterFactory only (other
// tests' services running in parallel are not counted).
internal sealed class MeterCount : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _total;

    public MeterCount(IMeterFactory scope, string instrument)
    {
        _listener.InstrumentPublished = (published, listener) =>
        {
            if (published.Meter.Scope == scope && published.Name == instrument)
            {
                listener.EnableMeasurementEvents(published);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
        _listener.Start();
    }

    public long Total => Interlocked.Read(ref _total);

    public void Dispose() => _listener.Dispose();
}
