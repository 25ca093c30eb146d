using Datakeen.Portal.Credits;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Datakeen.Portal.Data.Configurations;

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> builder)
    {
        builder.ToTable("idempotency_records");
        builder.HasKey(r => new { r.WorkspaceId, r.Key });
        builder.Property(r => r.Key).HasMaxLength(255);
        builder.Property(r => r.RequestId).HasMaxLength(IdempotencyRecord.MaxRequestIdLength);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(r => r.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(r => r.CreatedAt);
    }
}
