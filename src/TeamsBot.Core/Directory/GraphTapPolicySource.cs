namespace TeamsBot.Directory;

/// <summary>The Temporary Access Pass method policy through Microsoft Graph.</summary>
internal sealed class GraphTapPolicySource(GraphClientProvider graph) : ITapPolicySource
{
    public Task<TapPolicy> GetAsync(CancellationToken ct = default) =>
        GraphFailures.RunAsync(async () =>
        {
            var configuration = await graph.Client.Policies.AuthenticationMethodsPolicy.AuthenticationMethodConfigurations["TemporaryAccessPass"]
                .GetAsync(cancellationToken: ct).ConfigureAwait(false);
            return DirectoryMapping.ToTapPolicy(configuration);
        }, "read the Temporary Access Pass policy", ct);
}
