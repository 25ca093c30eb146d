using System.Net.Mail;
using Datakeen.Portal.Auditing;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Datakeen.Portal.Workspaces;

public sealed record MemberView(Guid MembershipId, Guid? UserId, string? DisplayName, string? Email, WorkspaceRole Role,
    bool IsPending);

public enum MembershipOutcome
{
    Done,
    NotFound,
    Forbidden,
    Invalid,
    // The browser session behind the action has ended: sign in again.
    SessionEnded,
}

public sealed record MembershipResult(MembershipOutcome Outcome, string? Error = null)
{
    public static readonly MembershipResult Done = new(MembershipOutcome.Done);
    public bool Succeeded => Outcome == MembershipOutcome.Done;
}

// Member management. Every change is made by an Admin of the workspace (checked here, not in the UI),
// is audited, and never leaves the workspace without an Admin who has signed in.
public sealed class WorkspaceMembers(IDbContextFactory<PortalDbContext> contextFactory, WorkspaceGuard guard, AuditLog auditLog,
    TimeProvider time)
{
    public const int MaxEmailLength = 320;

    // Null when the actor is not a member (the page answers 404).
    public async Task<IReadOnlyList<MemberView>?> ListAsync(Actor actor, Guid workspaceId, CancellationToken ct = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(ct);
        if (!(await guard.CheckAsync(db, workspaceId, actor, WorkspaceDemand.Member, ct)).IsAllowed)
        {
            return null;
        }

        var members = await db.Memberships.AsNoTracking()
            .Where(m => m.WorkspaceId == workspaceId)
            .Select(m => new MemberView(m.Id, m.UserId, m.User!.DisplayName, m.User.Email ?? m.InvitedEmail, m.Role,
                m.UserId == null))
            .ToListAsync(ct);
        return members
            .OrderByDescending(m => m.Role)
            .ThenBy(m => m.DisplayName ?? m.Email, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    public async Task<MembershipResult> AddAsync(Actor actor, Guid workspaceId, string? email, WorkspaceRole role,
        CancellationToken ct = default)
    {
        var normalized = email?.Trim().ToLowerInvariant() ?? "";
        if (normalized.Length is 0 or > MaxEmailLength || !StorableText.IsStorable(normalized) || !MailAddress.TryCreate(normalized, out var parsed) ||
            parsed.Address != normalized)
        {
            return new MembershipResult(MembershipOutcome.Invalid, "Enter a valid email address.");
        }
        if (!Enum.IsDefined(role))
        {
            return new MembershipResult(MembershipOutcome.Invalid, "Choose a role.");
        }

        await using var db = await contextFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (await RefuseUnlessAdminAsync(db, actor, workspaceId, AuditActions.MemberAdded, normalized, ct) is { } refusal)
        {
            return refusal;
        }

        var alreadyThere = await db.Memberships.AnyAsync(m => m.WorkspaceId == workspaceId &&
            (m.InvitedEmail == normalized || (m.User != null && m.User.Email != null && m.User.Email.ToLower() == normalized)), ct);
        if (alreadyThere)
        {
            return new MembershipResult(MembershipOutcome.Invalid, $"{normalized} is already a member or invited.");
        }

        db.Memberships.Add(new Membership
        {
            Id = Guid.CreateVersion7(), WorkspaceId = workspaceId, InvitedEmail = normalized, Role = role,
            CreatedAt = time.GetUtcNow(), InvitedByUserId = actor.UserId,
        });
        auditLog.Add(db, AuditActions.MemberAdded, actor, workspaceId, normalized, $"role: {role}; pending acceptance");
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return new MembershipResult(MembershipOutcome.Invalid, $"{normalized} is already a member or invited.");
        }
        await transaction.CommitAsync(ct);
        return MembershipResult.Done;
    }

    public Task<MembershipResult> ChangeRoleAsync(Actor actor, Guid workspaceId, Guid membershipId, WorkspaceRole role,
        CancellationToken ct = default) =>
        Enum.IsDefined(role)
            ? ChangeAsync(actor, workspaceId, membershipId, AuditActions.MemberRoleChanged, role, ct)
            : Task.FromResult(new MembershipResult(MembershipOutcome.Invalid, "Choose a role."));

    public Task<MembershipResult> RemoveAsync(Actor actor, Guid workspaceId, Guid membershipId, CancellationToken ct = default) =>
        ChangeAsync(actor, workspaceId, membershipId, AuditActions.MemberRemoved, newRole: null, ct);

    private async Task<MembershipResult> ChangeAsync(Actor actor, Guid workspaceId, Guid membershipId, string action,
        WorkspaceRole? newRole, CancellationToken ct)
    {
        await using var db = await contextFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (await RefuseUnlessAdminAsync(db, actor, workspaceId, action, membershipId.ToString(), ct) is { } refusal)
        {
            return refusal;
        }

        var membership = await db.Memberships.Include(m => m.User)
            .SingleOrDefaultAsync(m => m.Id == membershipId && m.WorkspaceId == workspaceId, ct);
        if (membership is null)
        {
            return new MembershipResult(MembershipOutcome.NotFound, "This member no longer exists.");
        }
        if (newRole == membership.Role)
        {
            return MembershipResult.Done;
        }

        var losesAdmin = membership.Role == WorkspaceRole.Admin && membership.UserId is not null;
        if (losesAdmin && await db.Memberships.CountAsync(
                m => m.WorkspaceId == workspaceId && m.Role == WorkspaceRole.Admin && m.UserId != null, ct) <= 1)
        {
            return new MembershipResult(MembershipOutcome.Invalid,
                "A workspace needs at least one Admin: make someone else Admin first.");
        }

        var target = membership.User?.Email ?? membership.InvitedEmail ?? membership.Id.ToString();
        if (newRole is { } role)
        {
            auditLog.Add(db, action, actor, workspaceId, target, $"{membership.Role} -> {role}");
            membership.Role = role;
        }
        else
        {
            auditLog.Add(db, action, actor, workspaceId, target, $"role was {membership.Role}");
            db.Memberships.Remove(membership);
        }
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return MembershipResult.Done;
    }

    // Locks the workspace row first: membership changes of one workspace then run one at a time, so two
    // Admins demoting each other at once cannot both succeed. NO KEY UPDATE leaves foreign-key checks of
    // other writers (keys, credits, the refusal's audit row) unblocked. The guard reads the role after the lock.
    private async Task<MembershipResult?> RefuseUnlessAdminAsync(PortalDbContext db, Actor actor, Guid workspaceId,
        string attemptedAction, string target, CancellationToken ct)
    {
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM workspaces WHERE id = {workspaceId} FOR NO KEY UPDATE", ct);
        var pass = await guard.CheckAsync(db, workspaceId, actor, WorkspaceDemand.Admin(attemptedAction, target), ct);
        return pass.Refusal switch
        {
            WorkspaceRefusal.None => null,
            WorkspaceRefusal.NotFound => new MembershipResult(MembershipOutcome.NotFound, "Workspace not found."),
            WorkspaceRefusal.Forbidden => new MembershipResult(MembershipOutcome.Forbidden, "Only an Admin of this workspace can manage its members."),
            _ => new MembershipResult(MembershipOutcome.SessionEnded, pass.Message),
        };
    }
}
