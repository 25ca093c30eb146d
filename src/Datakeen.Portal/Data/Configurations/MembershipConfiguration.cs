using Datakeen.Portal.Auth;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Datakeen.Portal.Data.Configurations;

internal sealed class MembershipConfiguration : IEntityTypeConfiguration<Membership>
{
    public void Configure(EntityTypeBuilder<Membership> builder)
    {
        builder.ToTable("memberships", t => t.HasCheckConstraint(
            "ck_memberships_user_or_invite", "user_id IS NOT NULL OR invited_email IS NOT NULL"));
        builder.Property(m => m.Role).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.InvitedEmail).HasMaxLength(320);
        builder.HasOne(m => m.Workspace).WithMany().HasForeignKey(m => m.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(m => m.User).WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(m => new { m.WorkspaceId, m.UserId }).IsUnique().HasFilter("user_id IS NOT NULL");
        builder.HasIndex(m => new { m.WorkspaceId, m.InvitedEmail }).IsUnique().HasFilter("user_id IS NULL");
        builder.HasIndex(m => m.UserId);
        builder.HasOne<PortalUser>().WithMany().HasForeignKey(m => m.InvitedByUserId).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(m => m.InvitedEmail).HasFilter("user_id IS NULL");
    }
}
