using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Datakeen.Portal.Data.Migrations
{
    /// <inheritdoc />
    public partial class Issue24KeyActivityAndAllowedOrigins : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string[]>(
                name: "allowed_origins",
                table: "api_keys",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'::text[]");

            migrationBuilder.AddColumn<bool>(
                name: "grace_awaits_first_use",
                table: "api_keys",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "grace_ending_mailed_at",
                table: "api_keys",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "key_activity",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    key_id = table.Column<Guid>(type: "uuid", nullable: false),
                    workspace_id = table.Column<Guid>(type: "uuid", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    route = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    outcome = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    client_address = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    user_agent = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    request_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    origin = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_key_activity", x => x.id);
                    table.ForeignKey(
                        name: "fk_key_activity_api_keys_key_id",
                        column: x => x.key_id,
                        principalTable: "api_keys",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_awaiting_first_use",
                table: "api_keys",
                column: "replaced_by_key_id",
                filter: "grace_awaits_first_use");

            migrationBuilder.CreateIndex(
                name: "ix_key_activity_at",
                table: "key_activity",
                column: "at");

            migrationBuilder.CreateIndex(
                name: "ix_key_activity_key_time",
                table: "key_activity",
                columns: new[] { "key_id", "at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "key_activity");

            migrationBuilder.DropIndex(
                name: "ix_api_keys_awaiting_first_use",
                table: "api_keys");

            migrationBuilder.DropColumn(
                name: "allowed_origins",
                table: "api_keys");

            migrationBuilder.DropColumn(
                name: "grace_awaits_first_use",
                table: "api_keys");

            migrationBuilder.DropColumn(
                name: "grace_ending_mailed_at",
                table: "api_keys");
        }
    }
}
