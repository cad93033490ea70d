using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;

namespace TeamsBot.Directory;

/// <summary>
/// Conditional Access policies as raw Graph JSON (sent and read through the SDK's request builders and adapter, so
/// auth and retries are the SDK's), and named locations as SDK models.
/// </summary>
internal sealed class GraphConditionalAccess(GraphClientProvider graph) : IConditionalAccess
{
    public Task<IReadOnlyList<CaPolicyDocument>> ListPoliciesAsync(CancellationToken ct = default) =>
        GraphFailures.RunAsync<IReadOnlyList<CaPolicyDocument>>(async () =>
        {
            var client = graph.Client;
            var policies = new List<CaPolicyDocument>();
            var request = client.Identity.ConditionalAccess.Policies.ToGetRequestInformation();
            while (request is not null)
            {
                var page = await GraphJson.SendAsync(client.RequestAdapter, request, ct).ConfigureAwait(false) as JsonObject;
                policies.AddRange((page?["value"] as JsonArray ?? []).OfType<JsonObject>().Select(CaPolicyJson.ToDocument));
                request = (string?)page?["@odata.nextLink"] is { } next
                    ? client.Identity.ConditionalAccess.Policies.WithUrl(next).ToGetRequestInformation()
                    : null;
            }
            return policies;
        }, "read the Conditional Access policies", ct);

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

    public Task<bool> DeletePolicyAsync(string id, CancellationToken ct = default) =>
        GraphFailures.RunAsync(async () =>
        {
            var client = graph.Client;
            try
            {
                await GraphJson.SendAsync(client.RequestAdapter, client.Identity.ConditionalAccess.Policies[id].ToDeleteRequestInformation(), ct)
                    .ConfigureAwait(false);
                return true;
            }
            catch (ODataError e) when (e.ResponseStatusCode == 404)
            {
                return false;
            }
        }, "delete the Conditional Access policy", ct);

    public Task<IReadOnlyList<NamedLocation>> ListNamedLocationsAsync(CancellationToken ct = default) =>
        GraphFailures.RunAsync<IReadOnlyList<NamedLocation>>(async () =>
        {
            var client = graph.Client;
            var locations = new List<NamedLocation>();
            var page = await client.Identity.ConditionalAccess.NamedLocations.GetAsync(cancellationToken: ct).ConfigureAwait(false);
            while (page is not null)
            {
                locations.AddRange((page.Value ?? []).Select(ToNamedLocation).OfType<NamedLocation>());
                page = page.OdataNextLink is { } next
                    ? await client.Identity.ConditionalAccess.NamedLocations.WithUrl(next).GetAsync(cancellationToken: ct).ConfigureAwait(false)
                    : null;
            }
            return locations;
        }, "read the named locations", ct);

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
