using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Datakeen.Portal.Data.Configurations;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("api_keys", t =>
        {
            t.HasCheckConstraint("ck_api_keys_digest_length", "octet_length(digest) = 32");
            t.HasCheckConstraint("ck_api_keys_public_value_only_for_public",
                "kind = 'Public' OR public_value IS NULL");
        });
        builder.Property(k => k.Environment).HasConversion<string>().HasMaxLength(16);
        builder.Property(k => k.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(k => k.Prefix).HasMaxLength(16);
        builder.Property(k => k.LastFour).HasMaxLength(4);
        builder.Property(k => k.PublicValue).HasMaxLength(64);
        builder.Property(k => k.ExposedUrl).HasMaxLength(Datakeen.Portal.SecretScanning.LeakReportRequest.MaxUrlLength);
        builder.Property(k => k.AllowedOrigins).HasDefaultValueSql("'{}'::text[]");
        builder.Ignore(k => k.IsActive);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(k => k.WorkspaceId).OnDelete(DeleteBehavior.Cascade);

        builder.HasIndex(k => k.Digest).IsUnique();
        // The rule "exactly one active key per (workspace, environment, kind)" lives in the database.
        builder.HasIndex(k => new { k.WorkspaceId, k.Environment, k.Kind })
            .IsUnique()
            .HasFilter("revoked_at IS NULL")
            .HasDatabaseName("ux_api_keys_one_active");
        // The activity writer finds old keys waiting for their new key's first use (few rows at any time).
        builder.HasIndex(k => k.ReplacedByKeyId)
            .HasFilter("grace_awaits_first_use")
            .HasDatabaseName("ix_api_keys_awaiting_first_use");
    }
}
