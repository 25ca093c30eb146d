using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Datakeen.Portal.Data.Migrations
{
    /// <inheritdoc />
    public partial class Issue20LogoutTokenReplayCache : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "logout_token_uses",
                columns: table => new
                {
                    issuer = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    jti = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_logout_token_uses", x => new { x.issuer, x.jti });
                });

            migrationBuilder.CreateIndex(
                name: "ix_logout_token_uses_expires_at",
                table: "logout_token_uses",
                column: "expires_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "logout_token_uses");
        }
    }
}
