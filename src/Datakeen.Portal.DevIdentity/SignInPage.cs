using System.Net;

namespace Datakeen.Portal.DevIdentity;

// Server-rendered HTML, no script: labelled fields so people and tests find them by name.
public static class SignInPage
{
    private const string Style =
        "body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;display:flex;justify-content:center}" +
        "main{background:#fff;margin-top:10vh;padding:2rem 2.5rem;border-radius:8px;box-shadow:0 1px 4px #0002;width:22rem}" +
        "h1{font-size:1.4rem;margin:0 0 .25rem}p.hint{color:#555;font-size:.9rem;margin:0 0 1.25rem}" +
        "label{display:block;font-weight:600;margin:.75rem 0 .25rem}" +
        "input{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #888;border-radius:4px;font-size:1rem}" +
        "button{margin-top:1.25rem;width:100%;padding:.6rem;border:0;border-radius:4px;background:#1e4bd2;color:#fff;font-size:1rem;cursor:pointer}" +
        ".error{color:#b00020;background:#fdecee;padding:.5rem;border-radius:4px}";

    public static string Render(string antiforgeryField, string antiforgeryToken, string returnUrl, string? email, string? error)
    {
        var errorHtml = error is null ? "" : $"<p class=\"error\" role=\"alert\">{Encode(error)}</p>";
        return $"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Sign in · Datakeen development identity provider</title><style>{Style}</style></head>
            <body><main>
            <h1>Sign in</h1>
            <p class="hint">Datakeen development identity provider. Demo users: admin@acme.test, member@acme.test, admin@globex.test (password: demo).</p>
            {errorHtml}
            <form method="post" action="/account/login">
            <input type="hidden" name="{Encode(antiforgeryField)}" value="{Encode(antiforgeryToken)}">
            <input type="hidden" name="returnUrl" value="{Encode(returnUrl)}">
            <label for="email">Email</label>
            <input id="email" name="email" type="email" autocomplete="username" required value="{Encode(email ?? "")}">
            <label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required>
            <button type="submit">Sign in</button>
            </form>
            </main></body></html>
            """;
    }

    public static string Home() => $"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Datakeen development identity provider</title><style>{Style}</style></head>
        <body><main><h1>Datakeen development identity provider</h1><p class="hint">For local development only. You are signed out.</p></main></body></html>
        """;

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
