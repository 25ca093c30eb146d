using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.DevIdentity;

public sealed class DevUserStore(IOptions<DevIdentityOptions> options)
{
    public DevUser? FindBySubject(string? subject) =>
        options.Value.Users.FirstOrDefault(u => string.Equals(u.Subject, subject, StringComparison.Ordinal));

    public DevUser? Validate(string? email, string? password)
    {
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password))
        {
            return null;
        }

        var user = options.Value.Users.FirstOrDefault(
            u => string.Equals(u.Email, email.Trim(), StringComparison.OrdinalIgnoreCase));
        if (user is null)
        {
            return null;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(user.Password), Encoding.UTF8.GetBytes(password))
            ? user
            : null;
    }
}
