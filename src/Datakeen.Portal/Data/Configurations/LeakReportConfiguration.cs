using Datakeen.Portal.SecretScanning;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Datakeen.Portal.Data.Configurations;

internal sealed class LeakReportConfiguration : IEntityTypeConfiguration<LeakReport>
{
    public void Configure(EntityTypeBuilder<LeakReport> builder)
    {
        builder.ToTable("leak_reports");
        builder.Property(r => r.TokenHash).HasMaxLength(64).IsFixedLength();
        builder.Property(r => r.TokenType).HasMaxLength(100);
        builder.Property(r => r.Url).HasMaxLength(LeakReportRequest.MaxUrlLength);
        builder.Property(r => r.Source).HasMaxLength(100);
        builder.Property(r => r.Label).HasMaxLength(16);
        builder.Property(r => r.Outcome).HasMaxLength(32);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(r => r.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        // Idempotency of reports lives in the database: a repeated (token, URL) cannot be handled twice.
        builder.HasIndex(r => new { r.TokenHash, r.Url }).IsUnique().HasDatabaseName("ux_leak_reports_token_url");
        builder.HasIndex(r => r.ApiKeyId);
    }
}
