using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Usage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Datakeen.Portal.Data.Configurations;

internal sealed class KeyUsageDayConfiguration : IEntityTypeConfiguration<KeyUsageDay>
{
    public void Configure(EntityTypeBuilder<KeyUsageDay> builder)
    {
        builder.ToTable("key_usage_days", t => t.HasCheckConstraint("ck_key_usage_days_requests_positive", "requests > 0"));
        builder.HasKey(u => new { u.KeyId, u.Day });
        builder.HasOne<ApiKey>().WithMany().HasForeignKey(u => u.KeyId).OnDelete(DeleteBehavior.Cascade);
        // The tab reads a workspace's last 30 days; retention deletes by day.
        builder.HasIndex(u => new { u.WorkspaceId, u.Day });
        builder.HasIndex(u => u.Day);
    }
}
