using TeamsBot.Protocol.Routing;

namespace TeamsBot.Help;

public static class FeatureSetup
{
    /// <summary>A feature's routes, and its part of the help card when it has one.</summary>
    public static IServiceCollection AddBotFeature<TFeature>(this IServiceCollection services) where TFeature : class, IBotFeature
    {
        services.AddSingleton<TFeature>();
        services.AddSingleton<IBotFeature>(sp => sp.GetRequiredService<TFeature>());
        if (typeof(IHelpContributor).IsAssignableFrom(typeof(TFeature)))
            services.AddSingleton(sp => (IHelpContributor)sp.GetRequiredService<TFeature>());
        return services;
    }
}
