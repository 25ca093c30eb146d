using Datakeen.Portal.Auth.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Datakeen.Portal.Data.Configurations;

internal sealed class LogoutTokenUseConfiguration : IEntityTypeConfiguration<LogoutTokenUse>
{
    public void Configure(EntityTypeBuilder<LogoutTokenUse> builder)
    {
        builder.ToTable("logout_token_uses");
        // The primary key is the replay rule: a (issuer, jti) is accepted once.
        builder.HasKey(u => new { u.Issuer, u.Jti });
        builder.Property(u => u.Issuer).HasMaxLength(500);
        builder.Property(u => u.Jti).HasMaxLength(255);
        builder.HasIndex(u => u.ExpiresAt);
    }
}
