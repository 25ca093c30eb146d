using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Datakeen.Portal.Data.Migrations
{
    /// <inheritdoc />
    public partial class Issue24ActivityRequestCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "requests",
                table: "key_activity",
                type: "integer",
                nullable: false,
                defaultValue: 1);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "requests",
                table: "key_activity");
        }
    }
}
