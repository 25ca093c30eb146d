using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace Datakeen.Portal.Infrastructure;

// In-process fan-out of database change notifications (PostgreSQL LISTEN/NOTIFY), so that every
// instance of the portal hears about a rotation or a credit change made by any other instance.
public sealed class ChangeFeed
{
    public const string KeyChannel = "datakeen_key_changes";
    public const string CreditChannel = "datakeen_credit_changes";
    public static readonly IReadOnlyList<string> Channels = [KeyChannel, CreditChannel];

    // (channel, payload). Payloads carry ids only, never key material.
    // Caches subscribe to Invalidating, which runs before Notified: whoever reloads on a notification then
    // finds the caches already emptied, whatever order the subscribers came in.
    public event Action<string, string>? Invalidating;
    public event Action<string, string>? Notified;

    // Raised after the listener (re)connected: notifications may have been missed. Caches flush (Flushing)
    // before the subscribers of Reconnected reload.
    public event Action? Flushing;
    public event Action? Reconnected;

    // Open tabs hear only their own workspace's changes (Subscribe), not every workspace's.
    private readonly ConcurrentDictionary<Guid, ImmutableArray<Action<string, string>>> _byWorkspace = new();

    public void Publish(string channel, string payload)
    {
        Invalidating?.Invoke(channel, payload);
        Notified?.Invoke(channel, payload);
        if (ChangePayload.WorkspaceOf(payload) is { } workspaceId && _byWorkspace.TryGetValue(workspaceId, out var handlers))
        {
            foreach (var handler in handlers)
            {
                handler(channel, payload);
            }
        }
    }

    // handler(channel, payload) runs on the listener's thread for each change of this workspace, after the caches
    // were invalidated, until the subscription is disposed.
    public IDisposable Subscribe(Guid workspaceId, Action<string, string> handler)
    {
        _byWorkspace.AddOrUpdate(workspaceId, _ => [handler], (_, handlers) => handlers.Add(handler));
        return new Subscription(this, workspaceId, handler);
    }

    private void Unsubscribe(Guid workspaceId, Action<string, string> handler)
    {
        while (_byWorkspace.TryGetValue(workspaceId, out var handlers))
        {
            var remaining = handlers.Remove(handler);
            if (remaining.IsEmpty
                    ? _byWorkspace.TryRemove(new KeyValuePair<Guid, ImmutableArray<Action<string, string>>>(workspaceId, handlers))
                    : _byWorkspace.TryUpdate(workspaceId, remaining, handlers))
            {
                return;
            }
        }
    }

    private sealed class Subscription(ChangeFeed feed, Guid workspaceId, Action<string, string> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                feed.Unsubscribe(workspaceId, handler);
            }
        }
    }

    public void RaiseReconnected()
    {
        Flushing?.Invoke();
        Reconnected?.Invoke();
    }
}

// Payload convention on both channels: "{workspaceId}" optionally followed by ":" and channel-specific
// ids (never key material), so any listener can tell which workspace changed.
public static class ChangePayload
{
    public static string For(Guid workspaceId, string? detail = null) =>
        detail is null ? workspaceId.ToString("D") : $"{workspaceId:D}:{detail}";

    public static Guid? WorkspaceOf(string payload) =>
        Guid.TryParse(payload.AsSpan(0, Math.Min(36, payload.Length)), out var id) ? id : null;
}
