using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Notifications;
using Datakeen.Portal.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Datakeen.Portal.Credits;

// "Test credits low" (the balance first reaches 5 or less) and "test credits exhausted", each once per
// admin: the debit that crosses the threshold queues the mail, and a dedup key unique per recipient makes
// "once" a database rule (an operator's later grant and a second crossing send nothing more).
public sealed class CreditAlerts(IDbContextFactory<PortalDbContext> contexts, AdminMail mail, ILogger<CreditAlerts> logger)
{
    public const long LowThreshold = 5;

    // Arithmetic only, for the consume hot path: true for the one debit that crossed a threshold.
    public static bool Crossed(KeyEnvironment environment, long amount, long balanceAfter) =>
        environment == KeyEnvironment.Test &&
        (balanceAfter == 0 || (balanceAfter <= LowThreshold && balanceAfter + amount > LowThreshold));

    public async Task OnCrossedAsync(Guid workspaceId, long amount, long balanceAfter, CancellationToken ct = default)
    {
        var exhausted = balanceAfter == 0;
        var dedupKey = $"{(exhausted ? "credits-exhausted" : "credits-low")}:{workspaceId:N}:test";
        try
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            if (await db.OutboxEmails.AnyAsync(m => m.DedupKey == dedupKey, ct))
            {
                return;
            }

            await mail.EnqueueAsync(db, workspaceId, MailCategory.Notice,
                exhausted ? "Test credits exhausted" : "Test credits low",
                exhausted
                    ? "The workspace has used all of its free test credits. Test calls that consume credits are now refused " +
                      "(402 insufficient_credits). Test credits are never renewed: use Production keys for real traffic."
                    : $"The workspace has {balanceAfter} free test credit{(balanceAfter == 1 ? "" : "s")} left. " +
                      "Test credits are never renewed: plan the move to Production keys.",
                dedupKey, ct);
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Another debit queued it first: once is once.
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The debit has committed and stands; a lost notice must not turn it into an error.
            logger.LogWarning("Queueing the credit notice for workspace {WorkspaceId} failed: {Message}", workspaceId, ex.Message);
        }
    }
}
