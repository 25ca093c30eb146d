using Datakeen.Portal.Notifications;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Datakeen.Portal.Data.Configurations;

internal sealed class OutboxEmailConfiguration : IEntityTypeConfiguration<OutboxEmail>
{
    public void Configure(EntityTypeBuilder<OutboxEmail> builder)
    {
        builder.ToTable("outbox_emails");
        builder.Property(m => m.ToAddress).HasMaxLength(320);
        builder.Property(m => m.Subject).HasMaxLength(300);
        builder.Property(m => m.Category).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.DedupKey).HasMaxLength(200);
        builder.Property(m => m.LastError).HasMaxLength(500);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(m => m.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        // What the sender polls: unsent mail by due time.
        builder.HasIndex(m => m.NextAttemptAt).HasFilter("sent_at IS NULL").HasDatabaseName("ix_outbox_emails_due");
        // "Once" mail (credits low, exhausted) is once per recipient, whatever races to enqueue it.
        builder.HasIndex(m => new { m.DedupKey, m.ToAddress }).IsUnique().HasFilter("dedup_key IS NOT NULL")
            .HasDatabaseName("ux_outbox_emails_dedup");
    }
}
