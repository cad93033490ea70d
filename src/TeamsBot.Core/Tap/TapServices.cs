using Microsoft.Extensions.DependencyInjection;
using TeamsBot.Approvals;
using TeamsBot.Cards;
using TeamsBot.Help;
using TeamsBot.Protocol.Routing;

namespace TeamsBot.Tap;

public static class TapServices
{
    /// <summary>TAP requests: the feature, its cards, the pass vault and the background jobs.</summary>
    public static IServiceCollection AddTapRequests(this IServiceCollection services)
    {
        services.AddApprovals();
        services.AddSingleton<TapCards>();
        services.AddSingleton<IApprovalCardRenderer>(sp => sp.GetRequiredService<TapCards>());
        services.AddSingleton<ICardSamples>(sp => sp.GetRequiredService<TapCards>());
        services.AddSingleton<PassVault>();
        services.AddSingleton<TapService>();
        services.AddSingleton<TapFeature>();
        services.AddSingleton<IBotFeature>(sp => sp.GetRequiredService<TapFeature>());
        services.AddSingleton<IHelpContributor>(sp => sp.GetRequiredService<TapFeature>());
        services.AddSingleton<TapJobs>();
        services.AddHostedService(sp => sp.GetRequiredService<TapJobs>());
        return services;
    }
}
