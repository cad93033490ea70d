namespace TeamsBot.Configuration;

public static class SettingsSetup
{
    /// <summary>Binds a settings section and checks it when the bot starts: a wrong value stops the bot with a message naming the key.</summary>
    public static IServiceCollection AddSettings<TOptions, TValidator>(this IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        return services;
    }

    /// <summary>One problem per time span that is not positive, naming its key and an example.</summary>
    public static IEnumerable<string> NotPositive(params (string Key, TimeSpan Value, string Example)[] spans) =>
        spans.Where(s => s.Value <= TimeSpan.Zero).Select(s => $"{s.Key} must be a positive time span (for example {s.Example}).");

    /// <summary>The validation result for a list of problems.</summary>
    public static ValidateOptionsResult Result(IReadOnlyCollection<string> problems) =>
        problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
}
