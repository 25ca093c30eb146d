using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Datakeen.Portal.Data;
using Datakeen.Portal.Testing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.IntegrationTests.Production;

// docs/operations.md, "Rotating the key-ring certificate": the new certificate protects new keys, the previous
// one (DataProtection__PreviousCertificatePath) keeps the keys written before it readable.
public sealed class KeyRingRotationTests(PortalDatabaseFixture database) : IClassFixture<PortalDatabaseFixture>, IDisposable
{
    private const string Password = "rotation-test";
    private readonly string _newCertificate = CreateCertificate();

    [Fact]
    public async Task After_a_rotation_what_the_old_certificate_protected_still_decrypts_and_only_with_it()
    {
        string ciphertext;
        await using (var before = new PortalFactory(database.ConnectionString))
        {
            ciphertext = Protector(before).Protect("a customer secret");
        }

        await using (var rotated = new PortalFactory(database.ConnectionString, new Dictionary<string, string?>
        {
            [KeyRingProtection.CertificatePathSetting] = _newCertificate,
            [KeyRingProtection.CertificatePasswordSetting] = Password,
            [KeyRingProtection.PreviousCertificatePathSetting] = TestCertificates.DataProtectionCertificatePath,
            [KeyRingProtection.PreviousCertificatePasswordSetting] = TestCertificates.Password,
        }))
        {
            Assert.Equal("a customer secret", Protector(rotated).Unprotect(ciphertext));
        }

        await using var withoutPrevious = new PortalFactory(database.ConnectionString, new Dictionary<string, string?>
        {
            [KeyRingProtection.CertificatePathSetting] = _newCertificate,
            [KeyRingProtection.CertificatePasswordSetting] = Password,
        });
        Assert.ThrowsAny<CryptographicException>(() => Protector(withoutPrevious).Unprotect(ciphertext));
    }

    public void Dispose() => File.Delete(_newCertificate);

    private static IDataProtector Protector(PortalFactory portal) =>
        portal.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("KeyRingRotationTests");

    private static string CreateCertificate()
    {
        var path = Path.Combine(Path.GetTempPath(), $"datakeen-rotation-{Guid.NewGuid():N}.pfx");
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Datakeen rotation test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, Password));
        return path;
    }
}
