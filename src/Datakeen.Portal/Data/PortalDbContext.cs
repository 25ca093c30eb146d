using Datakeen.Portal.Auth;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.ApiKeys.Activity;
using Datakeen.Portal.Auditing;
using Datakeen.Portal.Auth.Sessions;
using Datakeen.Portal.Credits;
using Datakeen.Portal.Notifications;
using Datakeen.Portal.SecretScanning;
using Datakeen.Portal.Usage;
using Datakeen.Portal.Workspaces;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Data;

public sealed class PortalDbContext(DbContextOptions<PortalDbContext> options)
    : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<Workspace> Workspaces => Set<Workspace>();
    public DbSet<PortalUser> Users => Set<PortalUser>();
    public DbSet<Membership> Memberships => Set<Membership>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<CreditAccount> CreditAccounts => Set<CreditAccount>();
    public DbSet<CreditLedgerEntry> CreditLedgerEntries => Set<CreditLedgerEntry>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<KeyUsageDay> KeyUsageDays => Set<KeyUsageDay>();
    public DbSet<KeyActivity> KeyActivity => Set<KeyActivity>();
    public DbSet<OutboxEmail> OutboxEmails => Set<OutboxEmail>();
    public DbSet<LeakReport> LeakReports => Set<LeakReport>();
    public DbSet<UserSession> UserSessions => Set<UserSession>();
    public DbSet<LogoutTokenUse> LogoutTokenUses => Set<LogoutTokenUse>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PortalDbContext).Assembly);
}
