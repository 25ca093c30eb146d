namespace Datakeen.Portal.Gateway;

// Configuration section "Gateway" (Gateway__SharedSecret): without a secret the hook is not served.
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    public string? SharedSecret { get; set; }
}
