using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using TeamsBot.Work;

namespace TeamsBot.Approvals;

public static class ApprovalServices
{
    /// <summary>The approval engine and card fan-out that TAP requests and policy plans share.</summary>
    public static IServiceCollection AddApprovals(this IServiceCollection services)
    {
        services.TryAddSingleton<ApprovalStore>();
        services.TryAddSingleton<ApprovalEngine>();
        services.TryAddSingleton<ApprovalClaims>();
        services.TryAddSingleton<ApprovalCards>();
        services.TryAddSingleton<Instance>();
        if (services.All(d => d.ServiceType != typeof(BackgroundWork)))
        {
            services.AddSingleton<BackgroundWork>();
            services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<BackgroundWork>());
        }
        return services;
    }
}
