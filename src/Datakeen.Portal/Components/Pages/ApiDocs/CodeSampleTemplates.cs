using Datakeen.Portal.ApiKeys;

namespace Datakeen.Portal.Components.Pages.ApiDocs;

// Short "who am I?" calls against the portal API, one per language. Every sample reads the secret
// key from the DATAKEEN_SECRET_KEY environment variable: a sample must never invite hard-coding it.
public static class CodeSampleTemplates
{
    public const string KeyVariable = "DATAKEEN_SECRET_KEY";

    public static readonly IReadOnlyList<string> Languages = ["curl", "C#", "Python", "Node"];

    public static string For(string language, KeyEnvironment environment, string portalBaseUri)
    {
        var url = portalBaseUri.TrimEnd('/') + "/api/v1/whoami";
        var hint = $"{KeyVariable} holds your {KeyLabels.Title(environment)} secret key "
                   + $"({KeyFormat.PrefixFor(environment, KeyKind.Secret)}…)";

        return language switch
        {
            "curl" => $"""
                # {hint}
                curl -H "Authorization: Bearer ${KeyVariable}" \
                  {url}
                """,
            "C#" => $$"""
                // {{hint}}
                using System.Net.Http.Headers;

                var key = Environment.GetEnvironmentVariable("{{KeyVariable}}")
                    ?? throw new InvalidOperationException("Set {{KeyVariable}}");
                using var http = new HttpClient();
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
                Console.WriteLine(await http.GetStringAsync("{{url}}"));
                """,
            "Python" => $$"""
                # {{hint}}
                import os
                import requests

                response = requests.get(
                    "{{url}}",
                    headers={"Authorization": f"Bearer {os.environ['{{KeyVariable}}']}"},
                    timeout=10,
                )
                response.raise_for_status()
                print(response.json())
                """,
            "Node" => $$"""
                // {{hint}}
                const response = await fetch("{{url}}", {
                  headers: { Authorization: `Bearer ${process.env.{{KeyVariable}}}` },
                });
                if (!response.ok) throw new Error(`Datakeen API: ${response.status}`);
                console.log(await response.json());
                """,
            _ => throw new ArgumentOutOfRangeException(nameof(language), language, null),
        };
    }
}
