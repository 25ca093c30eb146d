using Datakeen.Portal.Auth.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Datakeen.Portal.Data.Configurations;

internal sealed class UserSessionConfiguration : IEntityTypeConfiguration<UserSession>
{
    public void Configure(EntityTypeBuilder<UserSession> builder)
    {
        builder.ToTable("user_sessions");
        builder.Property(s => s.ProviderSessionId).HasMaxLength(255);
        builder.Property(s => s.Issuer).HasMaxLength(500);
        builder.Property(s => s.IpAddress).HasMaxLength(64);
        builder.Property(s => s.UserAgent).HasMaxLength(512);
        builder.HasOne(s => s.User).WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(s => s.UserId).HasFilter("revoked_at IS NULL");
        builder.HasIndex(s => new { s.Issuer, s.ProviderSessionId }).HasFilter("revoked_at IS NULL");
    }
}
