using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Datakeen.Portal.Data.Migrations
{
    // credits_debit_batch back to the per-debit version of CreditsGroupCommitDebits: the set-based one
    // (Issue22SetBasedDebitBatch) costs PostgreSQL less CPU per debit only from about 16 debits per batch on, and
    // more below; the API's batches average about 8 (docs/benchmarks.md, "Set-based debit batch"). No model change.
    [DbContext(typeof(PortalDbContext))]
    [Migration("20261207044800_Issue22PerDebitBatchRestored")]
    public partial class Issue22PerDebitBatchRestored : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql(CreditsGroupCommitDebits.CreateDebitBatch.Replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", StringComparison.Ordinal));

        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(Issue22SetBasedDebitBatch.SetBased);
    }
}
