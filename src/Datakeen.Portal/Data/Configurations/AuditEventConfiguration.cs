using Datakeen.Portal.Auditing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Datakeen.Portal.Data.Configurations;

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.ToTable("audit_events");
        builder.Property(e => e.Id).UseIdentityAlwaysColumn();
        builder.Property(e => e.Action).HasMaxLength(64);
        builder.Property(e => e.Target).HasMaxLength(AuditLog.MaxTextLength);
        builder.Property(e => e.ActorDescription).HasMaxLength(AuditLog.MaxTextLength);
        builder.Property(e => e.IpAddress).HasMaxLength(AuditLog.MaxIpAddressLength);
        builder.Property(e => e.UserAgent).HasMaxLength(AuditLog.MaxUserAgentLength);
        builder.HasIndex(e => new { e.WorkspaceId, e.OccurredAt });
    }
}
