using Datakeen.Portal.Auth;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Datakeen.Portal.Data.Configurations;

internal sealed class PortalUserConfiguration : IEntityTypeConfiguration<PortalUser>
{
    public void Configure(EntityTypeBuilder<PortalUser> builder)
    {
        builder.ToTable("users");
        builder.Property(u => u.Issuer).HasMaxLength(500);
        builder.Property(u => u.Subject).HasMaxLength(255);
        builder.Property(u => u.Email).HasMaxLength(320);
        builder.Property(u => u.DisplayName).HasMaxLength(200);
        builder.HasIndex(u => new { u.Issuer, u.Subject }).IsUnique();
        builder.HasIndex(u => u.Email);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(u => u.LastWorkspaceId).OnDelete(DeleteBehavior.SetNull);
    }
}
