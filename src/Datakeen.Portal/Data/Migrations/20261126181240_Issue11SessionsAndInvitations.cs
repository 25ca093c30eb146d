using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Datakeen.Portal.Data.Migrations
{
    /// <inheritdoc />
    public partial class Issue11SessionsAndInvitations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "last_workspace_id",
                table: "users",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "invited_by_user_id",
                table: "memberships",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "user_sessions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    ticket = table.Column<byte[]>(type: "bytea", nullable: false),
                    provider_session_id = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    issuer = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    authenticated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_seen_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    revoked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ip_address = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    user_agent = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_user_sessions", x => x.id);
                    table.ForeignKey(
                        name: "fk_user_sessions_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_workspaces_created_by_user_id",
                table: "workspaces",
                column: "created_by_user_id");

            migrationBuilder.CreateIndex(
                name: "ix_users_last_workspace_id",
                table: "users",
                column: "last_workspace_id");

            migrationBuilder.CreateIndex(
                name: "ix_memberships_invited_by_user_id",
                table: "memberships",
                column: "invited_by_user_id");

            migrationBuilder.CreateIndex(
                name: "ix_memberships_invited_email",
                table: "memberships",
                column: "invited_email",
                filter: "user_id IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_user_sessions_issuer_provider_session_id",
                table: "user_sessions",
                columns: new[] { "issuer", "provider_session_id" },
                filter: "revoked_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_user_sessions_user_id",
                table: "user_sessions",
                column: "user_id",
                filter: "revoked_at IS NULL");

            migrationBuilder.AddForeignKey(
                name: "fk_memberships_users_invited_by_user_id",
                table: "memberships",
                column: "invited_by_user_id",
                principalTable: "users",
                principalColumn: "id",
                onDelete: ReferentialAction.SetNull);

            migrationBuilder.AddForeignKey(
                name: "fk_users_workspaces_last_workspace_id",
                table: "users",
                column: "last_workspace_id",
                principalTable: "workspaces",
                principalColumn: "id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_memberships_users_invited_by_user_id",
                table: "memberships");

            migrationBuilder.DropForeignKey(
                name: "fk_users_workspaces_last_workspace_id",
                table: "users");

            migrationBuilder.DropTable(
                name: "user_sessions");

            migrationBuilder.DropIndex(
                name: "ix_workspaces_created_by_user_id",
                table: "workspaces");

            migrationBuilder.DropIndex(
                name: "ix_users_last_workspace_id",
                table: "users");

            migrationBuilder.DropIndex(
                name: "ix_memberships_invited_by_user_id",
                table: "memberships");

            migrationBuilder.DropIndex(
                name: "ix_memberships_invited_email",
                table: "memberships");

            migrationBuilder.DropColumn(
                name: "last_workspace_id",
                table: "users");

            migrationBuilder.DropColumn(
                name: "invited_by_user_id",
                table: "memberships");
        }
    }
}
