using System.Threading.Channels;
using Datakeen.Portal.Infrastructure.Telemetry;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.ApiKeys.Activity;

// What one request looked like to admission, before it is a row (the request's own strings, unbounded yet; the
// route is joined from its kind and path by the writer, off the request path).
public readonly record struct ActivityEntry(Guid KeyId, Guid WorkspaceId, DateTimeOffset At, string RouteKind, string? Path, string Outcome,
    string ClientAddress, string? UserAgent, string? RequestId, string? Origin);

// The request path's side of activity (docs/key-activity.md): a bounded in-memory queue that admission writes to
// and never waits on. When the writer falls behind and the queue is full, the newest entries are dropped (and
// counted) rather than slowing requests down: activity is a diagnostic, the request is the product.
public sealed class KeyActivityRecorder
{
    private readonly Channel<ActivityEntry> _queue;

    public KeyActivityRecorder(IOptions<ApiKeyOptions> options)
    {
        _queue = Channel.CreateBounded<ActivityEntry>(new BoundedChannelOptions(options.Value.ActivityQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
            SingleWriter = false,
        }, static _ => PortalTelemetry.ActivityDropped.Add(1));
    }

    public void Record(in ActivityEntry entry) => _queue.Writer.TryWrite(entry);

    // Up to `max` entries recorded since the previous call, oldest first.
    public List<ActivityEntry> Take(int max)
    {
        var taken = new List<ActivityEntry>(Math.Min(max, _queue.Reader.Count));
        while (taken.Count < max && _queue.Reader.TryRead(out var entry))
        {
            taken.Add(entry);
        }

        return taken;
    }
}
