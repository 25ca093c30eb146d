using System.Net;
using System.Text;
using Microsoft.AspNetCore.Components;

namespace Datakeen.Portal.Components.Pages.ApiDocs;

// Syntax highlighting of the code samples, on the server: comments, strings, keywords and numbers become spans
// with classes (CodeBlock.razor.css colours them from the theme's palette). Enough for our own samples, which
// it is tested on; no script, no CDN.
public static class CodeHighlighter
{
    private sealed record Rules(string LineComment, string Quotes, IReadOnlySet<string> Keywords);

    private static readonly Rules Shell = new("#", "\"'", Set("for", "in", "do", "done", "case", "esac", "if", "then", "fi", "exit", "break", "trap", "curl"));
    private static readonly Rules CSharp = new("//", "\"'", Set("using", "var", "new", "await", "throw", "if", "for", "return", "is", "not", "or", "null"));
    private static readonly Rules Python = new("#", "\"'", Set("import", "for", "in", "if", "not", "else", "break", "print", "range", "None"));
    private static readonly Rules JavaScript = new("//", "\"'`", Set("const", "let", "new", "await", "throw", "if", "for", "return", "async", "function"));

    public static MarkupString Highlight(string code, string language)
    {
        var rules = language switch
        {
            "curl" => Shell,
            "C#" => CSharp,
            "Python" => Python,
            "Node" => JavaScript,
            _ => null,
        };
        return new MarkupString(rules is null ? WebUtility.HtmlEncode(code) : Highlight(code, rules));
    }

    private static string Highlight(string code, Rules rules)
    {
        var html = new StringBuilder(code.Length * 2);
        var i = 0;
        while (i < code.Length)
        {
            var c = code[i];
            if (code.AsSpan(i).StartsWith(rules.LineComment, StringComparison.Ordinal) && (i == 0 || !char.IsLetterOrDigit(code[i - 1])))
            {
                var end = code.IndexOf('\n', i);
                i = Span(html, "comment", code, i, end < 0 ? code.Length : end);
            }
            else if (rules.Quotes.Contains(c))
            {
                var end = i + 1;
                while (end < code.Length && code[end] != c)
                {
                    end += code[end] == '\\' ? 2 : 1;
                }

                i = Span(html, "string", code, i, Math.Min(end + 1, code.Length));
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var end = i;
                while (end < code.Length && (char.IsLetterOrDigit(code[end]) || code[end] == '_'))
                {
                    end++;
                }

                var word = code[i..end];
                var afterDashOrDot = i > 0 && code[i - 1] is '-' or '.' or '$';
                i = rules.Keywords.Contains(word) && !afterDashOrDot ? Span(html, "keyword", code, i, end) : Plain(html, code, i, end);
            }
            else if (char.IsAsciiDigit(c) && (i == 0 || !char.IsLetterOrDigit(code[i - 1])))
            {
                var end = i;
                while (end < code.Length && char.IsAsciiDigit(code[end]))
                {
                    end++;
                }

                i = Span(html, "number", code, i, end);
            }
            else
            {
                i = Plain(html, code, i, i + 1);
            }
        }

        return html.ToString();
    }

    private static int Span(StringBuilder html, string kind, string code, int start, int end)
    {
        html.Append("<span class=\"dk-code-").Append(kind).Append("\">");
        Plain(html, code, start, end);
        html.Append("</span>");
        return end;
    }

    private static int Plain(StringBuilder html, string code, int start, int end)
    {
        html.Append(WebUtility.HtmlEncode(code[start..end]));
        return end;
    }

    private static HashSet<string> Set(params string[] words) => new(words, StringComparer.Ordinal);
}
