using TeamsBot.Protocol.Routing;
using TeamsBot.Work;

namespace TeamsBot.Approvals;

public static class ApprovalSetup
{
    /// <summary>The approval workflow that TAP requests and policy plans share (added once, whichever feature asks first).</summary>
    public static IServiceCollection AddApprovals(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(ApprovalWorkflow))) return services;
        services.AddBackgroundWork();
        services.AddSingleton<ApprovalStore>();
        services.AddSingleton<ApprovalEngine>();
        services.AddSingleton<ApprovalClaims>();
        services.AddSingleton<Outreach>();
        services.AddSingleton<ApprovalCards>();
        services.AddSingleton<ApprovalWorkflow>();
        services.AddSingleton<ApprovalFeature>();
        services.AddSingleton<IBotFeature>(sp => sp.GetRequiredService<ApprovalFeature>());
        return services;
    }

    /// <summary>A kind of approval: the workflow, the shared verbs and the card fan-out serve its records.</summary>
    public static IServiceCollection AddApprovalKind<TKind>(this IServiceCollection services, IConfiguration configuration)
        where TKind : class, IApprovalKind
    {
        services.AddApprovals(configuration);
        services.AddSingleton<TKind>();
        services.AddSingleton<IApprovalKind>(sp => sp.GetRequiredService<TKind>());
        return services;
    }
}
