using System.Collections.Concurrent;
using System.Security.Cryptography;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Datakeen.Portal.Infrastructure.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.ApiKeys;

// A known key as the verifier caches it: everything an API request needs, nothing secret.
public sealed class VerifiedKey
{
    public required Guid KeyId { get; init; }
    public required Guid WorkspaceId { get; init; }
    public required string WorkspaceName { get; init; }
    public required string WorkspaceSlug { get; init; }
    public required KeyEnvironment Environment { get; init; }
    public required KeyKind Kind { get; init; }
    public required string Hint { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }

    // Public keys: the web origins allowed to use it (empty: any).
    public OriginAllowList AllowedOrigins { get; init; } = OriginAllowList.Empty;
    internal long LoadedAt { get; init; }

    // Active, or replaced but still inside its grace period.
    public bool IsValidAt(DateTimeOffset now) => ApiKey.IsUsable(RevokedAt, ExpiresAt, now);
}

// Verification (docs/architecture.md, "Header → verifier → endpoint"): format + checksum → digest → cache → database. The cache is invalidated by
// rotations in this process, by key-channel notifications from every other instance, and flushed after a
// reconnection of the change feed; a short TTL bounds the damage of anything missed.
public sealed class ApiKeyVerifier
{
    // Bounds the negative cache: a guesser sending unique keys cannot grow it without limit.
    private const int MaxUnknownEntries = 10_000;

    private readonly ConcurrentDictionary<KeyDigest, VerifiedKey> _cache = new();

    // Well-formed digests the database did not know, with when that was learnt: a burst of the same
    // unknown key reaches the database once (concurrent look-ups share one query through _loading).
    private readonly ConcurrentDictionary<KeyDigest, long> _unknown = new();
    private readonly ConcurrentDictionary<KeyDigest, Lazy<Task<VerifiedKey?>>> _loading = new();
    private readonly IDbContextFactory<PortalDbContext> _contextFactory;
    private readonly IOptionsMonitor<ApiKeyOptions> _options;
    private readonly TimeProvider _time;

    // Bumped by every invalidation, so that a database read that started before it is not cached after it.
    private long _generation;

    public ApiKeyVerifier(IDbContextFactory<PortalDbContext> contextFactory, ChangeFeed feed,
        IOptionsMonitor<ApiKeyOptions> options, TimeProvider time)
    {
        _contextFactory = contextFactory;
        _options = options;
        _time = time;
        feed.Invalidating += OnNotified;
        feed.Flushing += FlushAll;
    }

    // The key, when the candidate is a known key that verifies now; null otherwise (whatever the reason).
    public ValueTask<VerifiedKey?> VerifyAsync(string candidate, CancellationToken ct = default) =>
        VerifyAsync(candidate.AsMemory(), ct);

    public async ValueTask<VerifiedKey?> VerifyAsync(ReadOnlyMemory<char> candidate, CancellationToken ct = default)
    {
        using var activity = PortalTelemetry.Source.StartActivity("api_key.verify");
        var lookup = LookUpCached(candidate.Span, out var digest, out var cached);
        if (lookup == CacheLookup.Malformed)
        {
            Record(activity, "malformed");
            return null;
        }

        PortalTelemetry.RecordCacheLookup(lookup == CacheLookup.Hit);
        activity?.SetTag("datakeen.verifier_cache", lookup == CacheLookup.Hit ? "hit" : "miss");
        var key = lookup == CacheLookup.Hit ? cached
            : IsKnownUnknown(digest) ? null
            : await LoadSharedAsync(digest, ct);
        var verified = key is not null && key.IsValidAt(_time.GetUtcNow()) ? key : null;
        Record(activity, verified is null ? "invalid" : "valid");
        return verified;
    }

    private static void Record(System.Diagnostics.Activity? activity, string outcome)
    {
        PortalTelemetry.RecordVerification(outcome);
        activity?.SetTag("datakeen.outcome", outcome);
    }

    // The synchronous part of verification: parse, digest, cache. Allocation-free.
    internal CacheLookup LookUpCached(ReadOnlySpan<char> candidate, out KeyDigest digest, out VerifiedKey? key)
    {
        key = null;
        digest = default;
        Span<byte> bytes = stackalloc byte[SHA256.HashSizeInBytes];
        if (!KeyFormat.TryParseAndDigest(candidate, bytes, out _))
        {
            return CacheLookup.Malformed;
        }

        digest = new KeyDigest(bytes);
        if (_cache.TryGetValue(digest, out var entry) &&
            _time.GetElapsedTime(entry.LoadedAt) < _options.CurrentValue.CacheTtl)
        {
            key = entry;
            return CacheLookup.Hit;
        }

        return CacheLookup.Miss;
    }

    public void EvictWorkspace(Guid workspaceId)
    {
        Interlocked.Increment(ref _generation);
        foreach (var (digest, entry) in _cache)
        {
            if (entry.WorkspaceId == workspaceId)
            {
                _cache.TryRemove(new KeyValuePair<KeyDigest, VerifiedKey>(digest, entry));
            }
        }
    }

    public void FlushAll()
    {
        Interlocked.Increment(ref _generation);
        _cache.Clear();
        _unknown.Clear();
    }

    private bool IsKnownUnknown(KeyDigest digest)
    {
        if (!_unknown.TryGetValue(digest, out var learntAt))
        {
            return false;
        }

        if (_time.GetElapsedTime(learntAt) < _options.CurrentValue.UnknownKeyCacheTtl)
        {
            return true;
        }

        _unknown.TryRemove(new KeyValuePair<KeyDigest, long>(digest, learntAt));
        return false;
    }

    // One database read per digest at a time: concurrent callers wait for the same query, which runs
    // to completion even when one caller gives up (the others still want its answer).
    private async Task<VerifiedKey?> LoadSharedAsync(KeyDigest digest, CancellationToken ct)
    {
        var loading = _loading.GetOrAdd(digest,
            static (d, self) => new Lazy<Task<VerifiedKey?>>(() => self.LoadOrRememberUnknownAsync(d)), this);
        return await loading.Value.WaitAsync(ct);
    }

    // Leaves _loading when done (while it is there, no other load of the digest can start), also on failure.
    private async Task<VerifiedKey?> LoadOrRememberUnknownAsync(KeyDigest digest)
    {
        try
        {
            var key = await LoadAsync(digest, CancellationToken.None);
            if (key is null)
            {
                if (_unknown.Count >= MaxUnknownEntries)
                {
                    _unknown.Clear();
                }
                _unknown[digest] = _time.GetTimestamp();
            }
            return key;
        }
        finally
        {
            _loading.TryRemove(digest, out _);
        }
    }

    private async Task<VerifiedKey?> LoadAsync(KeyDigest digest, CancellationToken ct)
    {
        var generation = Interlocked.Read(ref _generation);
        var digestBytes = digest.ToArray();
        await using var db = await _contextFactory.CreateDbContextAsync(ct);
        var row = await (
                from k in db.ApiKeys
                join w in db.Workspaces on k.WorkspaceId equals w.Id
                where k.Digest == digestBytes
                select new { k.Id, k.WorkspaceId, w.Name, w.Slug, k.Environment, k.Kind, k.Prefix, k.LastFour, k.RevokedAt, k.ExpiresAt, k.AllowedOrigins })
            .AsNoTracking()
            .SingleOrDefaultAsync(ct);
        if (row is null)
        {
            // Remembered briefly by the caller (negative cache); a key becomes known only when it is issued,
            // and nobody can have asked for a freshly generated key before.
            return null;
        }

        var key = new VerifiedKey
        {
            KeyId = row.Id,
            WorkspaceId = row.WorkspaceId,
            WorkspaceName = row.Name,
            WorkspaceSlug = row.Slug,
            Environment = row.Environment,
            Kind = row.Kind,
            Hint = KeyDisplay.Hint(row.Prefix, row.LastFour),
            RevokedAt = row.RevokedAt,
            ExpiresAt = row.ExpiresAt,
            AllowedOrigins = row.Kind == KeyKind.Public ? OriginAllowList.FromStored(row.AllowedOrigins) : OriginAllowList.Empty,
            LoadedAt = _time.GetTimestamp(),
        };
        Remember(digest, key, generation);
        return key;
    }

    // Caches a key read from the database, unless an invalidation happened since `generation` was read:
    // what was read may then predate the change.
    internal void Remember(KeyDigest digest, VerifiedKey key, long generation)
    {
        _cache[digest] = key;
        if (Interlocked.Read(ref _generation) != generation)
        {
            _cache.TryRemove(new KeyValuePair<KeyDigest, VerifiedKey>(digest, key));
        }
    }

    internal long Generation => Interlocked.Read(ref _generation);

    private void OnNotified(string channel, string payload)
    {
        if (channel != ChangeFeed.KeyChannel)
        {
            return;
        }

        if (ChangePayload.WorkspaceOf(payload) is { } workspaceId)
        {
            EvictWorkspace(workspaceId);
        }
        else
        {
            FlushAll();
        }
    }

    internal enum CacheLookup
    {
        Malformed,
        Miss,
        Hit,
    }
}
