using System.Collections.Concurrent;
using Datakeen.Portal.Infrastructure.Telemetry;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.ApiKeys.Activity;

// The requests of one caller within one flush, as the writer stores them (one row): the request's own strings,
// unbounded yet (the route is joined from its kind and path by the writer, off the request path), how many requests,
// the first and the newest request's time, and the newest request's id.
public readonly record struct ActivityEntry(Guid KeyId, Guid WorkspaceId, DateTimeOffset FirstAt, DateTimeOffset At, int Requests,
    string RouteKind, string? Path, string Outcome, string ClientAddress, string? UserAgent, string? RequestId, string? Origin);

// The request path's side of activity (docs/key-activity.md), the one place every keyed request is recorded (the API's
// and the gateway's admission, and the verify endpoint). Requests are coalesced as they are recorded: the requests of
// one caller (key, route, outcome, client address, user agent, origin) until the writer's next flush are one
// aggregate with a count, so memory and the table grow with distinct callers per flush, not with requests, and a
// repeated caller allocates nothing. Never waits: beyond ActivityQueueCapacity distinct callers in one flush, new
// callers are dropped (and counted) rather than slowing requests down; activity is a diagnostic, the request is the
// product.
public sealed class KeyActivityRecorder(IOptions<ApiKeyOptions> options, TimeProvider time)
{
    // The key route of the verify endpoint: "verify by {service client}" is joined by the writer.
    public const string VerifyRouteKind = "verify by";

    private readonly int _capacity = options.Value.ActivityQueueCapacity;
    private Generation _current = new(0);

    // The one recording method: the request `request` admitted (or refused with `outcome`) with `key`.
    public void Record(VerifiedKey key, in AdmissionRequest request, string outcome)
    {
        var at = time.GetUtcNow();
        var caller = new Caller(key.KeyId, request.RouteKind, request.Path, outcome, request.Client, request.UserAgent, request.Origin);
        while (true)
        {
            var generation = Volatile.Read(ref _current);
            // Announce the write before checking that the generation is still current: Take swaps first and then waits
            // for the announced writes, so every write lands either in the generation it takes or in the next one.
            Interlocked.Increment(ref generation.Writers);
            try
            {
                if (ReferenceEquals(generation, Volatile.Read(ref _current)))
                {
                    generation.Add(caller, key.WorkspaceId, at, request.RequestId, _capacity);
                    return;
                }
            }
            finally
            {
                Interlocked.Decrement(ref generation.Writers);
            }
        }
    }

    // The callers recorded since the previous call (each with its request count), in no particular order.
    public List<ActivityEntry> Take()
    {
        var generation = Interlocked.Exchange(ref _current, new Generation(Volatile.Read(ref _current).Distinct));
        var spin = new SpinWait();
        while (Volatile.Read(ref generation.Writers) != 0)
        {
            spin.SpinOnce();
        }

        var taken = new List<ActivityEntry>(generation.Callers.Count);
        foreach (var (caller, calls) in generation.Callers)
        {
            taken.Add(new ActivityEntry(caller.KeyId, calls.WorkspaceId, calls.FirstAt, calls.LastAt, calls.Requests, caller.RouteKind,
                caller.Path, caller.Outcome, caller.ClientAddress, caller.UserAgent, calls.RequestId, caller.Origin));
        }

        return taken;
    }

    // What makes two requests one row (the workspace follows from the key).
    private readonly record struct Caller(Guid KeyId, string RouteKind, string? Path, string Outcome, string ClientAddress,
        string? UserAgent, string? Origin);

    private sealed class Calls(Guid workspaceId, DateTimeOffset at, string? requestId)
    {
        public readonly Guid WorkspaceId = workspaceId;
        public int Requests = 1;
        public DateTimeOffset FirstAt = at;
        public DateTimeOffset LastAt = at;
        public string? RequestId = requestId;

        public void Add(DateTimeOffset at, string? requestId)
        {
            lock (this)
            {
                Requests++;
                if (at < FirstAt)
                {
                    FirstAt = at;
                }

                if (at >= LastAt)
                {
                    LastAt = at;
                    RequestId = requestId;
                }
            }
        }
    }

    // The callers of one flush. Writers: records in progress (Take waits for them to finish).
    private sealed class Generation(int expectedCallers)
    {
        public readonly ConcurrentDictionary<Caller, Calls> Callers = new(Environment.ProcessorCount, Math.Max(31, expectedCallers));
        public int Writers;
        public int Distinct;

        public void Add(in Caller caller, Guid workspaceId, DateTimeOffset at, string? requestId, int capacity)
        {
            if (Callers.TryGetValue(caller, out var calls))
            {
                calls.Add(at, requestId);
                return;
            }

            if (Interlocked.Increment(ref Distinct) > capacity)
            {
                Interlocked.Decrement(ref Distinct);
                PortalTelemetry.ActivityDropped.Add(1);
                return;
            }

            if (!Callers.TryAdd(caller, new Calls(workspaceId, at, requestId)))
            {
                // Another request of the same new caller was first.
                Interlocked.Decrement(ref Distinct);
                Callers[caller].Add(at, requestId);
            }
        }
    }
}
