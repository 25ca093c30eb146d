using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Workspaces;

namespace Datakeen.Portal.Tests.Components.ApiDocs;

// In-memory stand-in for the key service: four keys per workspace, records every call.
public sealed class FakeApiKeyManager : IApiKeyManager
{
    private readonly Dictionary<Guid, string> _plaintexts = [];

    public List<ApiKeyView> Keys { get; } = [];
    public List<(Guid KeyId, KeyAccessPurpose Purpose)> PlaintextRequests { get; } = [];
    public List<(Guid KeyId, TimeSpan? Grace)> RotateCalls { get; } = [];
    public int ListCalls { get; private set; }
    public List<Guid> EndGraceCalls { get; } = [];
    public List<(Guid KeyId, IReadOnlyList<string> Origins)> OriginSaves { get; } = [];

    // The caller's role and the configuration the views are built for, with the product's own rules
    // (KeyCapabilities), so the tab renders what the server would send.
    public WorkspaceRole CallerRole { get; set; } = WorkspaceRole.Admin;
    public ApiKeyOptions Options { get; } = new();

    // Set to make ListAsync fail (database unavailable) or hang (still loading).
    public Exception? ListFailure { get; set; }
    public TaskCompletionSource? ListGate { get; set; }

    // Set to answer RotateAsync with something other than success.
    public KeyRotationResult? RotationAnswer { get; set; }

    // The key as the server lists it after a reveal of it (null: unchanged). Tests of a "shown once" secret say
    // here that the server spent its one reveal.
    public Func<ApiKeyView, ApiKeyView?>? ServerAfterReveal { get; set; }

    // When set, every plaintext request gets this refusal (e.g. ReauthenticationRequired).
    public KeyAccessOutcome? AccessRefusal { get; set; }

    public static string PlaintextFor(KeyEnvironment environment, KeyKind kind, char fill = 'a') =>
        KeyLabelsPrefix(environment, kind) + new string(fill, 32) + "Xy" + fill + (char)('A' + (int)environment) + (char)('0' + (int)kind) + "Z";

    public ApiKeyView Add(KeyEnvironment environment, KeyKind kind, char fill = 'a', bool canReveal = true,
        DateTimeOffset? lastUsed = null, DateTimeOffset? expiresAt = null)
    {
        var plaintext = PlaintextFor(environment, kind, fill);
        var view = WithCapabilities(new ApiKeyView(Guid.NewGuid(), environment, kind, Mask(plaintext),
            DateTimeOffset.UtcNow.AddDays(-3), lastUsed, IsActive: true, expiresAt, canReveal, Capabilities: null!));
        Keys.Add(view);
        _plaintexts[view.Id] = plaintext;
        return view;
    }

    public FakeApiKeyManager WithStandardKeys()
    {
        foreach (var environment in new[] { KeyEnvironment.Test, KeyEnvironment.Production })
        {
            Add(environment, KeyKind.Public);
            Add(environment, KeyKind.Secret);
        }

        return this;
    }

    public ApiKeyView Key(KeyEnvironment environment, KeyKind kind) =>
        Keys.Single(k => k.Environment == environment && k.Kind == kind && k.ExpiresAt is null);

    public string Plaintext(ApiKeyView key) => _plaintexts[key.Id];

    // What the server's list says about a leak of this key (ApiKeyListing reads it with the key).
    public void Expose(ApiKeyView key, KeyExposure exposure)
    {
        var index = Keys.FindIndex(k => k.Id == key.Id);
        Keys[index] = Keys[index] with { Exposure = exposure };
    }

    public async Task<IReadOnlyList<ApiKeyView>> ListAsync(Guid workspaceId, Actor actor, CancellationToken ct = default)
    {
        ListCalls++;
        if (ListGate is not null)
        {
            await ListGate.Task;
        }

        if (ListFailure is not null)
        {
            throw ListFailure;
        }

        return Keys.Select(WithCapabilities).ToList();
    }

    private ApiKeyView WithCapabilities(ApiKeyView key) => key with
    {
        Capabilities = KeyCapabilities.For(Options, key.Environment, key.Kind, CallerRole, key.CanRevealPlaintext),
    };

    public Task<KeyAccessResult> GetPlaintextAsync(Guid workspaceId, Guid keyId, KeyAccessPurpose purpose, Actor actor,
        CancellationToken ct = default)
    {
        PlaintextRequests.Add((keyId, purpose));
        if (AccessRefusal is { } refusal)
        {
            return Task.FromResult(KeyAccessResult.Fail(refusal, "Refused."));
        }

        var index = Keys.FindIndex(k => k.Id == keyId);
        if (index < 0)
        {
            return Task.FromResult(KeyAccessResult.Fail(KeyAccessOutcome.NotFound, "No such key."));
        }

        // The fake has no reveal policy of its own: a key the test marked as no longer revealable is refused, and
        // what the server knows after a reveal (e.g. "spent") is what the test says in ServerAfterReveal.
        var key = Keys[index];
        if (!key.CanRevealPlaintext)
        {
            return Task.FromResult(KeyAccessResult.Fail(KeyAccessOutcome.NoLongerRevealable, "This key can no longer be shown."));
        }

        if (ServerAfterReveal?.Invoke(key) is { } after)
        {
            Keys[index] = after;
        }

        return Task.FromResult(KeyAccessResult.Ok(_plaintexts[keyId]));
    }

    public Task<KeyRotationResult> EndGraceAsync(Guid workspaceId, Guid keyId, Actor actor, CancellationToken ct = default)
    {
        EndGraceCalls.Add(keyId);
        Keys.RemoveAll(k => k.Id == keyId);
        return Task.FromResult(new KeyRotationResult(KeyRotationOutcome.Rotated, null, null, null));
    }

    public Task<AllowedOriginsResult> SaveAllowedOriginsAsync(Guid workspaceId, Guid keyId, IReadOnlyList<string> origins, Actor actor,
        CancellationToken ct = default)
    {
        OriginSaves.Add((keyId, origins.ToList()));
        var index = Keys.FindIndex(k => k.Id == keyId);
        Keys[index] = Keys[index] with { AllowedOrigins = origins.ToList() };
        return Task.FromResult(new AllowedOriginsResult(AllowedOriginsOutcome.Saved, origins.ToList(), null));
    }

    public Task<KeyRotationResult> RotateAsync(Guid workspaceId, Guid keyId, TimeSpan? gracePeriod, Actor actor,
        CancellationToken ct = default)
    {
        RotateCalls.Add((keyId, gracePeriod));
        if (RotationAnswer is not null)
        {
            return Task.FromResult(RotationAnswer);
        }

        var old = Keys.Single(k => k.Id == keyId);
        Keys.Remove(old);
        var replaced = old with { IsActive = false, ExpiresAt = DateTimeOffset.UtcNow + (gracePeriod ?? TimeSpan.Zero) };
        if (gracePeriod is not null)
        {
            Keys.Add(replaced);
        }

        var added = Add(old.Environment, old.Kind, fill: 'n');
        return Task.FromResult(new KeyRotationResult(KeyRotationOutcome.Rotated, WithCapabilities(added), Plaintext(added), null,
            WithCapabilities(replaced)));
    }

    private static string KeyLabelsPrefix(KeyEnvironment environment, KeyKind kind) =>
        $"dk_{(environment == KeyEnvironment.Test ? "test" : "live")}_{(kind == KeyKind.Public ? "pk" : "sk")}_";

    private static string Mask(string plaintext) => plaintext[..11] + new string('•', 16) + plaintext[^4..];
}
