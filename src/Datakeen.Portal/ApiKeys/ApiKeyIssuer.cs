using Microsoft.Extensions.Options;

namespace Datakeen.Portal.ApiKeys;

// A key just issued, with the plaintext that exists only in this object (and, for a revealable
// secret, as ciphertext).
public sealed record IssuedKey(ApiKey Key, string Plaintext)
{
    public Guid Id => Key.Id;
    public KeyEnvironment Environment => Key.Environment;
    public KeyKind Kind => Key.Kind;

    // Keeps the plaintext out of ToString(), so logging an issued key cannot leak it.
    public override string ToString() =>
        $"Id = {Id}, Environment = {Environment}, Kind = {Kind}, Plaintext = [redacted]";
}

// Creates key rows: generates the plaintext, stores its digest and hint, and keeps what the reveal policy allows.
public sealed class ApiKeyIssuer(ApiKeySecrets secrets, IOptionsMonitor<ApiKeyOptions> options, TimeProvider time)
{
    // revealedNow: the plaintext is being shown to the caller right away (rotation), which for a
    // "Once" key is its one reveal, so no ciphertext is kept.
    public IssuedKey Issue(Guid workspaceId, KeyEnvironment environment, KeyKind kind, Guid? createdByUserId,
        bool revealedNow = false)
    {
        var plaintext = KeyFormat.Generate(environment, kind);
        var now = time.GetUtcNow();
        var key = new ApiKey
        {
            Id = Guid.CreateVersion7(now),
            WorkspaceId = workspaceId,
            Environment = environment,
            Kind = kind,
            Digest = KeyFormat.ComputeDigest(plaintext),
            Prefix = KeyFormat.PrefixFor(environment, kind),
            LastFour = KeyDisplay.LastFourOf(plaintext),
            CreatedAt = now,
            CreatedByUserId = createdByUserId,
        };

        if (kind == KeyKind.Public)
        {
            key.PublicValue = plaintext;
        }
        else
        {
            var policy = options.CurrentValue.PolicyFor(environment);
            if (policy == RevealPolicy.Always || (policy == RevealPolicy.Once && !revealedNow))
            {
                key.ProtectedSecret = secrets.Protect(plaintext);
            }

            if (revealedNow)
            {
                key.FirstRevealedAt = now;
            }
        }

        return new IssuedKey(key, plaintext);
    }
}
