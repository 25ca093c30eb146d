using Datakeen.Portal.Credits;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Datakeen.Portal.Data.Configurations;

internal sealed class CreditAccountConfiguration : IEntityTypeConfiguration<CreditAccount>
{
    public void Configure(EntityTypeBuilder<CreditAccount> builder)
    {
        builder.ToTable("credit_accounts", t => t.HasCheckConstraint("ck_credit_accounts_balance_non_negative", "balance >= 0"));
        builder.Property(a => a.Environment).HasConversion<string>().HasMaxLength(16);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(a => a.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(a => new { a.WorkspaceId, a.Environment }).IsUnique();
    }
}
