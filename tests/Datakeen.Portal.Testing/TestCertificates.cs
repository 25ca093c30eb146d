using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Datakeen.Portal.Testing;

// The tests' own key-ring certificate (one per test process, password-protected, deleted at exit), passed
// to every portal host so that hosts sharing a database can read each other's keys.
public static class TestCertificates
{
    public const string Password = "datakeen-tests";

    private static readonly Lazy<string> DataProtectionPath = new(Create);

    public static string DataProtectionCertificatePath => DataProtectionPath.Value;

    private static string Create()
    {
        var path = Path.Combine(Path.GetTempPath(), $"datakeen-tests-dp-{Environment.ProcessId}-{Guid.NewGuid():N}.pfx");
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Datakeen tests key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, Password));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
        return path;
    }
}
