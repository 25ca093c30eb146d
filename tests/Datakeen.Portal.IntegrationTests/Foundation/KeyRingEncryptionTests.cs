using System.Security.Cryptography;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Data;
using Datakeen.Portal.Testing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.IntegrationTests.Foundation;

// The key ring in data_protection_keys is encrypted with a certificate that is not in the database.
public sealed class KeyRingEncryptionTests(PortalDatabaseFixture database) : IClassFixture<PortalDatabaseFixture>
{
    [Fact]
    public async Task The_stored_key_ring_holds_no_plaintext_master_key_and_a_dump_alone_decrypts_no_secret()
    {
        string ciphertext;
        await using (var portal = new PortalFactory(database.ConnectionString))
        {
            var workspace = await TestWorkspaces.CreateAsync(portal);
            await using var db = database.CreateDbContext();
            ciphertext = await db.ApiKeys.Where(k => k.WorkspaceId == workspace.Id && k.ProtectedSecret != null)
                .Select(k => k.ProtectedSecret!).FirstAsync();
        }

        await using (var db = database.CreateDbContext())
        {
            var ring = await db.DataProtectionKeys.Select(k => k.Xml!).ToListAsync();
            Assert.NotEmpty(ring);
            Assert.All(ring, xml =>
            {
                Assert.Contains("<encryptedSecret", xml, StringComparison.Ordinal);
                Assert.Contains("EncryptedData", xml, StringComparison.Ordinal);
                Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
                Assert.DoesNotContain("<value>", xml, StringComparison.Ordinal);
            });
        }

        // Whoever holds only the database (the same application name, the same key table) decrypts nothing.
        var dumpReader = new ServiceCollection()
            .AddDbContext<PortalDbContext>(o => o.UseNpgsql(database.ConnectionString).UseSnakeCaseNamingConvention());
        dumpReader.AddDataProtection().SetApplicationName("Datakeen.Portal").PersistKeysToDbContext<PortalDbContext>();
        await using var provider = dumpReader.BuildServiceProvider();
        var protector = provider.GetRequiredService<IDataProtectionProvider>().CreateProtector(ApiKeySecrets.Purpose);
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(ciphertext));
    }

    [Fact]
    public void Starting_outside_development_without_the_certificate_fails_naming_the_setting()
    {
        using var portal = new PortalFactory(database.ConnectionString, new Dictionary<string, string?>
        {
            ["environment"] = "Production",
            [KeyRingProtection.CertificatePathSetting] = "",
            ["Oidc:Authority"] = "",
        });

        var error = Assert.ThrowsAny<Exception>(() => portal.Services);

        Assert.Contains("DataProtection__CertificatePath", Flatten(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_development_and_in_tests_a_missing_certificate_is_created_at_the_configured_path()
    {
        var directory = Directory.CreateTempSubdirectory("datakeen-dp-");
        // A database of its own: its key ring is encrypted with this other certificate.
        var ownDatabase = await TestPostgres.CreateMigratedDatabaseAsync();
        try
        {
            var path = Path.Combine(directory.FullName, "nested", "dataprotection-dev.pfx");
            await using (var portal = new PortalFactory(ownDatabase, new Dictionary<string, string?>
            {
                [KeyRingProtection.CertificatePathSetting] = path,
                [KeyRingProtection.CertificatePasswordSetting] = null,
            }))
            {
                await TestWorkspaces.CreateAsync(portal);
            }

            Assert.True(File.Exists(path));
            using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(path, null);
            Assert.True(certificate.HasPrivateKey);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
        }
        finally
        {
            directory.Delete(recursive: true);
            await TestPostgres.DropDatabaseAsync(ownDatabase);
        }
    }

    private static string Flatten(Exception error) =>
        string.Join(" | ", Enumerable.Repeat(error, 1).Concat(error is AggregateException a ? a.InnerExceptions : [])
            .SelectMany(e => new[] { e.Message, e.InnerException?.Message }));
}
