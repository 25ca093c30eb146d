using System.Text.RegularExpressions;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Datakeen.Portal.ApiKeys.Activity;

// Writes the recorded activity every ActivityFlushInterval (and once more when the host stops), as the usage
// counts are written: one row per caller of the flush (KeyActivityRecorder coalesces), one INSERT per 5,000 rows,
// off the request path. The same flush starts the clock of a
// "until the new key is first used" grace period (docs/key-activity.md): the first admitted request of a new key
// (the earliest Ok time of the flush) sets its old key's end to that request's time + FirstUseGrace, and announces the change to every instance.
public sealed partial class KeyActivityWriter(
    KeyActivityRecorder recorder,
    IDbContextFactory<PortalDbContext> contexts,
    ApiKeyVerifier verifier,
    IOptionsMonitor<ApiKeyOptions> options,
    TimeProvider time,
    ILogger<KeyActivityWriter> logger) : PeriodicJob(time, logger)
{
    private const int BatchSize = 5_000;

    // A key that is gone (its workspace deleted) is skipped by the join.
    private const string InsertSql = """
        INSERT INTO key_activity (key_id, workspace_id, at, route, outcome, client_address, user_agent, request_id, origin, requests)
        SELECT u.key_id, k.workspace_id, u.at, u.route, u.outcome, u.client_address, u.user_agent, u.request_id, u.origin, u.requests
        FROM unnest(@key_ids::uuid[], @ats::timestamptz[], @routes::text[], @outcomes::text[], @clients::text[],
                    @agents::text[], @request_ids::text[], @origins::text[], @requests::integer[])
             AS u(key_id, at, route, outcome, client_address, user_agent, request_id, origin, requests)
        JOIN api_keys AS k ON k.id = u.key_id
        """;

    // The old keys waiting for their new key's first use, whose new key was just used: their grace starts now.
    private const string FirstUseSql = """
        UPDATE api_keys AS o
        SET expires_at = LEAST(o.expires_at, f.first_at + @grace::interval), grace_awaits_first_use = false
        FROM unnest(@key_ids::uuid[], @ats::timestamptz[]) AS f(key_id, first_at)
        WHERE o.replaced_by_key_id = f.key_id AND o.grace_awaits_first_use
        RETURNING o.workspace_id, o.id
        """;

    protected override TimeSpan Interval => options.CurrentValue.ActivityFlushInterval;

    protected override Task RunAsync(CancellationToken ct) => FlushAsync(ct);

    protected override Task StoppedAsync() => FlushAsync(CancellationToken.None);

    public async Task FlushAsync(CancellationToken ct)
    {
        var entries = recorder.Take();
        // The earliest admitted request of each key in the flush (a new key's first use), written with the first batch.
        var firstUses = entries.Where(e => e.Outcome == ActivityOutcomes.Ok)
            .GroupBy(e => e.KeyId)
            .Select(g => (KeyId: g.Key, At: g.Min(e => e.FirstAt)))
            .ToList();
        for (var start = 0; start < entries.Count; start += BatchSize)
        {
            var batch = entries.GetRange(start, Math.Min(BatchSize, entries.Count - start));
            try
            {
                await WriteAsync(batch, start == 0 ? firstUses : [], ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Activity is a diagnostic: a batch the database refused is dropped, never retried forever.
                logger.LogWarning(ex, "Could not record activity of {Count} caller(s)", entries.Count - start);
                return;
            }
        }
    }

    private async Task WriteAsync(List<ActivityEntry> batch, List<(Guid KeyId, DateTimeOffset At)> firstUses, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync(InsertSql,
        [
            new NpgsqlParameter<Guid[]>("key_ids", batch.Select(e => e.KeyId).ToArray()),
            new NpgsqlParameter<DateTimeOffset[]>("ats", batch.Select(e => e.At).ToArray()),
            new NpgsqlParameter<string[]>("routes", batch.Select(e => Clean(e.Path is null ? e.RouteKind : $"{e.RouteKind} {e.Path}", KeyActivity.MaxRouteLength)!).ToArray()),
            new NpgsqlParameter<string[]>("outcomes", batch.Select(e => e.Outcome).ToArray()),
            new NpgsqlParameter<string[]>("clients", batch.Select(e => Clean(e.ClientAddress, KeyActivity.MaxClientAddressLength)!).ToArray()),
            new NpgsqlParameter<string?[]>("agents", batch.Select(e => Clean(e.UserAgent, KeyActivity.MaxUserAgentLength)).ToArray()),
            new NpgsqlParameter<string?[]>("request_ids", batch.Select(e => Clean(e.RequestId, KeyActivity.MaxRequestIdLength)).ToArray()),
            new NpgsqlParameter<string?[]>("origins", batch.Select(e => Clean(e.Origin, KeyActivity.MaxOriginLength)).ToArray()),
            new NpgsqlParameter<int[]>("requests", batch.Select(e => e.Requests).ToArray()),
        ], ct);

        var started = firstUses.Count == 0 ? [] : await db.Database
            .SqlQueryRaw<StartedGrace>(FirstUseSql,
                new NpgsqlParameter<Guid[]>("key_ids", firstUses.Select(f => f.KeyId).ToArray()),
                new NpgsqlParameter<DateTimeOffset[]>("ats", firstUses.Select(f => f.At).ToArray()),
                new NpgsqlParameter<TimeSpan>("grace", options.CurrentValue.FirstUseGrace))
            .ToListAsync(ct);
        foreach (var grace in started)
        {
            // Every instance drops the old key from its verifier cache, so its new end applies everywhere.
            await db.NotifyAsync(ChangeFeed.KeyChannel, ChangePayload.For(grace.WorkspaceId, grace.Id.ToString("D")), ct);
        }

        await transaction.CommitAsync(ct);
        foreach (var grace in started)
        {
            verifier.EvictWorkspace(grace.WorkspaceId);
        }
    }

    // Bounded, storable, and never a key: a client that puts a key into its user agent or path does not get it stored.
    internal static string? Clean(string? value, int maxLength)
    {
        if (string.IsNullOrEmpty(value))
        {
            return value;
        }

        var clean = StorableText.Sanitize(AnyKey().Replace(value, "[redacted key]"))!;
        return clean.Length <= maxLength ? clean : clean[..maxLength];
    }

    [GeneratedRegex(@"dk_(?:live|test)_(?:pk|sk)_[0-9A-Za-z]{20,}")]
    private static partial Regex AnyKey();

    private sealed record StartedGrace(Guid WorkspaceId, Guid Id);
}
