using Datakeen.Portal.Credits;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Datakeen.Portal.Data.Configurations;

internal sealed class CreditLedgerEntryConfiguration : IEntityTypeConfiguration<CreditLedgerEntry>
{
    public void Configure(EntityTypeBuilder<CreditLedgerEntry> builder)
    {
        builder.ToTable("credit_ledger_entries", t =>
        {
            t.HasCheckConstraint("ck_credit_ledger_sign",
                "(type = 'Grant' AND amount > 0) OR (type = 'Consume' AND amount < 0)");
            t.HasCheckConstraint("ck_credit_ledger_balance_after_non_negative", "balance_after >= 0");
            t.HasCheckConstraint("ck_credit_ledger_welcome_is_grant", "NOT is_welcome_grant OR type = 'Grant'");
        });
        builder.Property(e => e.Environment).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.Type).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.Reference).HasMaxLength(200);
        builder.Property(e => e.IdempotencyKey).HasMaxLength(255);
        builder.Property(e => e.ActorDescription).HasMaxLength(CreditLedgerEntry.MaxActorDescriptionLength);
        builder.HasOne<CreditAccount>().WithMany().HasForeignKey(e => e.AccountId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(e => new { e.AccountId, e.CreatedAt });
        // The 20 welcome credits can be granted once per workspace, whatever the code path.
        builder.HasIndex(e => e.WorkspaceId)
            .IsUnique()
            .HasFilter("is_welcome_grant")
            .HasDatabaseName("ux_credit_ledger_one_welcome_grant");
        builder.HasIndex(e => new { e.WorkspaceId, e.IdempotencyKey })
            .IsUnique()
            .HasFilter("idempotency_key IS NOT NULL")
            .HasDatabaseName("ux_credit_ledger_idempotency");
    }
}
