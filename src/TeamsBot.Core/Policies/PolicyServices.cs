using Microsoft.Extensions.DependencyInjection;
using TeamsBot.Approvals;
using TeamsBot.Cards;
using TeamsBot.Help;
using TeamsBot.Protocol.Routing;

namespace TeamsBot.Policies;

public static class PolicyServices
{
    /// <summary>The registration policies: templates, inspection, plans, the feature and its jobs.</summary>
    public static IServiceCollection AddRegistrationPolicies(this IServiceCollection services)
    {
        services.AddApprovals();
        services.AddSingleton<RegistrationPolicies>();
        services.AddSingleton<PolicyDeployments>();
        services.AddSingleton<PolicyInspector>();
        services.AddSingleton<PolicyPlanner>();
        services.AddSingleton<PolicyCards>();
        services.AddSingleton<IApprovalCardRenderer>(sp => sp.GetRequiredService<PolicyCards>());
        services.AddSingleton<ICardSamples>(sp => sp.GetRequiredService<PolicyCards>());
        services.AddSingleton<PolicyService>();
        services.AddSingleton<PolicyFeature>();
        services.AddSingleton<IBotFeature>(sp => sp.GetRequiredService<PolicyFeature>());
        services.AddSingleton<IHelpContributor>(sp => sp.GetRequiredService<PolicyFeature>());
        services.AddSingleton<PolicyJobs>();
        services.AddHostedService(sp => sp.GetRequiredService<PolicyJobs>());
        return services;
    }
}
