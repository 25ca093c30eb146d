using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Datakeen.Portal.Data.Migrations
{
    /// <inheritdoc />
    public partial class Issue14KeyUsage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "key_usage_days",
                columns: table => new
                {
                    key_id = table.Column<Guid>(type: "uuid", nullable: false),
                    day = table.Column<DateOnly>(type: "date", nullable: false),
                    workspace_id = table.Column<Guid>(type: "uuid", nullable: false),
                    requests = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_key_usage_days", x => new { x.key_id, x.day });
                    table.CheckConstraint("ck_key_usage_days_requests_positive", "requests > 0");
                    table.ForeignKey(
                        name: "fk_key_usage_days_api_keys_key_id",
                        column: x => x.key_id,
                        principalTable: "api_keys",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_key_usage_days_day",
                table: "key_usage_days",
                column: "day");

            migrationBuilder.CreateIndex(
                name: "ix_key_usage_days_workspace_id_day",
                table: "key_usage_days",
                columns: new[] { "workspace_id", "day" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "key_usage_days");
        }
    }
}
