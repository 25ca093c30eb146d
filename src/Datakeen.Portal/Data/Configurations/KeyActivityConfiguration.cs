using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.ApiKeys.Activity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Datakeen.Portal.Data.Configurations;

internal sealed class KeyActivityConfiguration : IEntityTypeConfiguration<KeyActivity>
{
    public void Configure(EntityTypeBuilder<KeyActivity> builder)
    {
        builder.ToTable("key_activity");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).UseIdentityAlwaysColumn();
        builder.Property(a => a.Route).HasMaxLength(KeyActivity.MaxRouteLength);
        builder.Property(a => a.Outcome).HasMaxLength(32);
        builder.Property(a => a.ClientAddress).HasMaxLength(KeyActivity.MaxClientAddressLength);
        builder.Property(a => a.UserAgent).HasMaxLength(KeyActivity.MaxUserAgentLength);
        builder.Property(a => a.RequestId).HasMaxLength(KeyActivity.MaxRequestIdLength);
        builder.Property(a => a.Origin).HasMaxLength(KeyActivity.MaxOriginLength);
        builder.Property(a => a.Requests).HasDefaultValue(1);
        builder.HasOne<ApiKey>().WithMany().HasForeignKey(a => a.KeyId).OnDelete(DeleteBehavior.Cascade);
        // The panel reads one key's newest rows; retention deletes by time.
        builder.HasIndex(a => new { a.KeyId, a.At }).HasDatabaseName("ix_key_activity_key_time");
        builder.HasIndex(a => a.At);
    }
}
