namespace Datakeen.Portal.Auth;

// Open-redirect guard: a return URL is kept only when it is a path on this site.
public static class ReturnUrls
{
    public static string Sanitize(string? returnUrl)
    {
        if (string.IsNullOrEmpty(returnUrl) || returnUrl[0] != '/')
        {
            return "/";
        }

        // "//host" and "/\host" are protocol-relative to browsers; control characters can smuggle either.
        if (returnUrl.Length > 1 && (returnUrl[1] == '/' || returnUrl[1] == '\\'))
        {
            return "/";
        }

        return returnUrl.Any(c => c == '\\' || char.IsControl(c)) ? "/" : returnUrl;
    }
}
