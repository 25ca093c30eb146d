using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Datakeen.Portal.Data.Configurations;

internal sealed class WorkspaceConfiguration : IEntityTypeConfiguration<Workspace>
{
    public void Configure(EntityTypeBuilder<Workspace> builder)
    {
        builder.ToTable("workspaces");
        builder.Property(w => w.Name).HasMaxLength(100);
        builder.Property(w => w.Slug).HasMaxLength(64);
        builder.HasIndex(w => w.Slug).IsUnique();
        builder.HasIndex(w => w.CreatedByUserId);
        builder.ToTable(t => t.HasCheckConstraint("ck_workspaces_slug_format", "slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'"));
    }
}
