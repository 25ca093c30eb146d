using Datakeen.Portal.ApiKeys;

namespace Datakeen.Portal.Components.Pages.ApiDocs;

// The Datakeen API base URLs shown on each environment card. Production is fixed by the product
// (the defaults below); Test comes from configuration (section "BaseUrls:Test").
public sealed class BaseUrlOptions
{
    public const string SectionName = "BaseUrls";

    public EnvironmentBaseUrls Production { get; set; } = new()
    {
        JourneyApi = "https://app-v3.datakeen.co/backend",
        DocumentsApi = "https://api.datakeen.co/api",
    };

    public EnvironmentBaseUrls Test { get; set; } = new();

    public EnvironmentBaseUrls For(KeyEnvironment environment) => environment switch
    {
        KeyEnvironment.Test => Test,
        KeyEnvironment.Production => Production,
        _ => throw new ArgumentOutOfRangeException(nameof(environment), environment, null),
    };
}

public sealed class EnvironmentBaseUrls
{
    public string JourneyApi { get; set; } = "";

    public string DocumentsApi { get; set; } = "";
}
