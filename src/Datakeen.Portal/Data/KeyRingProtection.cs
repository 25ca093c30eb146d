using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;

namespace Datakeen.Portal.Data;

// The Data Protection key ring lives in PostgreSQL next to the secrets it protects, so it is encrypted
// there with a certificate that is not: a database dump alone decrypts no secret and forges no cookie.
// Outside Development and Testing the certificate must be configured; in Development (./run.sh) and
// Testing a self-signed one is created at the configured path (default .data/ under the content root)
// when missing, so a fresh checkout still starts in one step.
public static class KeyRingProtection
{
    public const string CertificatePathSetting = "DataProtection:CertificatePath";
    public const string CertificatePasswordSetting = "DataProtection:CertificatePassword";

    // Rotation (docs/operations.md): the certificate that protected the ring until now. New keys are protected
    // with CertificatePath; keys written before stay readable with this one.
    public const string PreviousCertificatePathSetting = "DataProtection:PreviousCertificatePath";
    public const string PreviousCertificatePasswordSetting = "DataProtection:PreviousCertificatePassword";

    public static IServiceCollection AddEncryptedKeyRing(this IServiceCollection services, IConfiguration configuration,
        IHostEnvironment environment)
    {
        var certificate = LoadCertificate(configuration, environment);
        X509Certificate2[] readable = string.IsNullOrWhiteSpace(configuration[PreviousCertificatePathSetting])
            ? [certificate]
            : [certificate, LoadFile(configuration[PreviousCertificatePathSetting]!, configuration[PreviousCertificatePasswordSetting],
                "DataProtection__PreviousCertificatePath", "DataProtection__PreviousCertificatePassword")];
        services.AddDataProtection()
            .ProtectKeysWithCertificate(certificate)
            .UnprotectKeysWithAnyCertificate(readable);
        return services;
    }

    internal static X509Certificate2 LoadCertificate(IConfiguration configuration, IHostEnvironment environment)
    {
        var selfSignedAllowed = environment.IsDevelopment() || environment.IsEnvironment("Testing");
        var path = configuration[CertificatePathSetting];
        var password = configuration[CertificatePasswordSetting];
        if (string.IsNullOrWhiteSpace(path))
        {
            if (!selfSignedAllowed)
            {
                throw new InvalidOperationException(
                    "The Data Protection key ring must be encrypted with a certificate that is not in the database: set " +
                    "DataProtection__CertificatePath to a PKCS#12 (.pfx) file with a private key (and " +
                    "DataProtection__CertificatePassword when it has one).");
            }
            path = Path.Combine(environment.ContentRootPath, ".data", "dataprotection-dev.pfx");
        }

        if (!File.Exists(path))
        {
            if (!selfSignedAllowed)
            {
                throw new InvalidOperationException(
                    $"DataProtection__CertificatePath names '{path}', which does not exist (the key ring certificate).");
            }
            CreateSelfSigned(path, password);
        }

        return LoadFile(path, password, "DataProtection__CertificatePath", "DataProtection__CertificatePassword");
    }

    private static X509Certificate2 LoadFile(string path, string? password, string pathVariable, string passwordVariable)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{pathVariable} names '{path}', which does not exist (a key ring certificate).");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException(
                $"{pathVariable} '{path}' could not be read as PKCS#12 with {passwordVariable}: {ex.Message}");
        }

        if (!certificate.HasPrivateKey || certificate.GetRSAPrivateKey() is null)
        {
            throw new InvalidOperationException(
                $"{pathVariable} '{path}' has no RSA private key; the key ring cannot be decrypted with it.");
        }
        return certificate;
    }

    // Written to a temporary file and moved into place, so that hosts starting together (tests) agree on one.
    private static void CreateSelfSigned(string path, string? password)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var rsa = RSA.Create(3072);
        var request = new CertificateRequest("CN=Datakeen Portal Data Protection (development)", rsa,
            HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment, critical: true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(10));
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllBytes(temporary, certificate.Export(X509ContentType.Pkcs12, password));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        try
        {
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
        }
    }
}
