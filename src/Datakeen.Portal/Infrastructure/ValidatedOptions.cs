using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.Infrastructure;

// Every options class of the portal is bound through here: its data annotations (ranges, allowed values,
// enums, nested sections) are checked when the host starts (ValidateOnStart), and a failure names the
// environment variable to fix, e.g. "Smtp:Port: The field Port must be between 1 and 65535. (environment
// variable Smtp__Port)". A value that does not even convert (Smtp__Port=abc) stops the start too, with the
// configuration binder's message naming the key.
public static class ValidatedOptions
{
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, IConfiguration configuration,
        string sectionName) where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new AnnotatedOptionsValidation<T>(sectionName));
        return services.AddOptions<T>().Bind(configuration.GetSection(sectionName)).ValidateOnStart();
    }

    // The failures of one options object (and its nested option objects), each naming its variable.
    public static IReadOnlyList<string> Validate(object options, string sectionName)
    {
        var failures = new List<string>();
        Collect(options, sectionName, failures, depth: 0);
        return failures;
    }

    private static void Collect(object options, string path, List<string> failures, int depth)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        foreach (var result in results)
        {
            var members = result.MemberNames.Any() ? result.MemberNames : [""];
            foreach (var member in members)
            {
                var key = member.Length == 0 ? path : $"{path}:{member}";
                failures.Add($"{key}: {result.ErrorMessage} (environment variable {key.Replace(":", "__", StringComparison.Ordinal)})");
            }
        }

        if (depth > 4)
        {
            return;
        }
        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var type = property.PropertyType;
            if (!type.IsClass || type == typeof(string) || typeof(IEnumerable).IsAssignableFrom(type) || property.GetIndexParameters().Length > 0)
            {
                continue;
            }
            if (property.GetValue(options) is { } nested)
            {
                Collect(nested, $"{path}:{property.Name}", failures, depth + 1);
            }
        }
    }
}

internal sealed class AnnotatedOptionsValidation<T>(string sectionName) : IValidateOptions<T> where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var failures = ValidatedOptions.Validate(options, sectionName);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
