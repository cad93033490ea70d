using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Graph;

namespace TeamsBot.Directory;

public static class TenantDirectoryServiceCollectionExtensions
{
    /// <summary>
    /// Registers the directory ports (singletons) backed by Microsoft Graph, and the GraphServiceClient. The client is
    /// built on first use from "Graph" (Mode, BaseUrl) and, in Live mode, "Bot" (AppId, TenantId, ClientCredential), so
    /// Graph:BaseUrl may be set after registration (Simulated mode).
    /// </summary>
    public static IServiceCollection AddTenantDirectory(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<GraphOptions>().Bind(configuration.GetSection(GraphOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => new GraphClientProvider(configuration));
        services.TryAddSingleton<GraphServiceClient>(sp => sp.GetRequiredService<GraphClientProvider>().Client);
        services.TryAddSingleton<IPeopleDirectory, GraphPeopleDirectory>();
        services.TryAddSingleton<ITemporaryAccessPasses, GraphTemporaryAccessPasses>();
        services.TryAddSingleton<IAuthenticationMethods, GraphAuthenticationMethods>();
        services.TryAddSingleton<ITapPolicySource, GraphTapPolicySource>();
        services.TryAddSingleton<IConditionalAccess, GraphConditionalAccess>();
        services.TryAddSingleton<IWhatIfEvaluator, GraphWhatIfEvaluator>();
        services.TryAddSingleton<IPolicyEvidence, GraphPolicyEvidence>();
        services.TryAddSingleton<IDirectoryAudits, GraphDirectoryAudits>();
        services.TryAddSingleton<ITeamsAppInstallations, GraphTeamsAppInstallations>();
        return services;
    }
}
