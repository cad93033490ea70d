using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;

namespace TeamsBot.Directory;

/// <summary>
/// One Conditional Access policy at a time as raw Graph JSON (sent and read through the SDK's request builders and
/// adapter, so auth and retries are the SDK's); the lists are read in the status's $batch (<see cref="GraphPolicyEvidence"/>).
/// </summary>
internal sealed class GraphConditionalAccess(GraphClientProvider graph) : IConditionalAccess
{
    public Task<CaPolicyDocument?> GetPolicyAsync(string id, CancellationToken ct = default) =>
        GraphFailures.RunAsync(async () =>
        {
            var client = graph.Client;
            try
            {
                var body = await GraphJson.SendAsync(client.RequestAdapter,
                    client.Identity.ConditionalAccess.Policies[id].ToGetRequestInformation(), ct).ConfigureAwait(false) as JsonObject;
                return body is null ? null : CaPolicyJson.ToDocument(body);
            }
            catch (ODataError e) when (e.ResponseStatusCode == 404)
            {
                return null;
            }
        }, "read the Conditional Access policy", ct);

    public Task<CaPolicyDocument> CreatePolicyAsync(JsonObject body, CancellationToken ct = default) =>
        GraphFailures.RunAsync(async () =>
        {
            var client = graph.Client;
            var request = GraphJson.WithBody(client.Identity.ConditionalAccess.Policies.ToPostRequestInformation(new ConditionalAccessPolicy()),
                CaPolicyJson.Writable(body));
            var created = await GraphJson.SendAsync(client.RequestAdapter, request, ct).ConfigureAwait(false) as JsonObject
                ?? throw new DirectoryException(DirectoryErrorKind.Unknown, "Microsoft Graph created the Conditional Access policy but returned no body.");
            return CaPolicyJson.ToDocument(created);
        }, $"create the Conditional Access policy '{(string?)body["displayName"]}'", ct);

    public Task UpdatePolicyAsync(string id, JsonObject patch, CancellationToken ct = default) =>
        GraphFailures.RunAsync(async () =>
        {
            var client = graph.Client;
            var request = GraphJson.WithBody(client.Identity.ConditionalAccess.Policies[id].ToPatchRequestInformation(new ConditionalAccessPolicy()),
                CaPolicyJson.Writable(patch));
            await GraphJson.SendAsync(client.RequestAdapter, request, ct).ConfigureAwait(false);
        }, "update the Conditional Access policy", ct);

    internal static NamedLocation? ToNamedLocation(Microsoft.Graph.Models.NamedLocation location) => location switch
    {
        IpNamedLocation ip => new NamedLocation(ip.Id ?? "", ip.DisplayName ?? "", "ip", ip.IsTrusted ?? false,
            (ip.IpRanges ?? []).Select(r => r switch
            {
                IPv4CidrRange v4 => v4.CidrAddress,
                IPv6CidrRange v6 => v6.CidrAddress,
                _ => null,
            }).OfType<string>().ToList(),
            []),
        CountryNamedLocation country => new NamedLocation(country.Id ?? "", country.DisplayName ?? "", "country", false, [],
            country.CountriesAndRegions ?? []),
        _ => null,
    };
}
