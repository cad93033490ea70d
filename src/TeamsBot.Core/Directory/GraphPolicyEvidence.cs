using Microsoft.Graph;
using Microsoft.Graph.Identity.ConditionalAccess.Evaluate;
using Microsoft.Graph.Models;
using Microsoft.Kiota.Abstractions;

namespace TeamsBot.Directory;

/// <summary>The policy status's Graph reads, batched (at most 20 items per $batch; later pages read separately).</summary>
internal sealed class GraphPolicyEvidence(GraphClientProvider graph, TimeProvider time) : IPolicyEvidence
{
    public Task<PolicyContext> GetContextAsync(CancellationToken ct = default) =>
        GraphFailures.RunAsync(async () =>
        {
            var client = graph.Client;
            var items = await GraphBatch.SendAsync(client, new Dictionary<string, Func<RequestInformation>>
            {
                ["policies"] = () => client.Identity.ConditionalAccess.Policies.ToGetRequestInformation(),
                ["locations"] = () => client.Identity.ConditionalAccess.NamedLocations.ToGetRequestInformation(),
                ["tap"] = () => client.Policies.AuthenticationMethodsPolicy.AuthenticationMethodConfigurations["TemporaryAccessPass"].ToGetRequestInformation(),
                // https://learn.microsoft.com/graph/api/authenticationstrengthroot-list-policies (Policy.Read.All)
                ["strengths"] = () => client.Policies.AuthenticationStrengthPolicies.ToGetRequestInformation(),
            }, time, ct).ConfigureAwait(false);

            var tap = DirectoryMapping.ToTapPolicy(await items["tap"].ExpectAsync(AuthenticationMethodConfiguration.CreateFromDiscriminatorValue, ct).ConfigureAwait(false));

            if (!items["policies"].Succeeded) throw await items["policies"].ErrorAsync(ct).ConfigureAwait(false);
            var policies = new List<CaPolicyDocument>();
            var page = JsonNode.Parse(items["policies"].Body ?? "{}") as JsonObject;
            while (page is not null)
            {
                policies.AddRange((page["value"] as JsonArray ?? []).OfType<JsonObject>().Select(CaPolicyJson.ToDocument));
                page = (string?)page["@odata.nextLink"] is { } next
                    ? await GraphJson.SendAsync(client.RequestAdapter, client.Identity.ConditionalAccess.Policies.WithUrl(next).ToGetRequestInformation(), ct)
                        .ConfigureAwait(false) as JsonObject
                    : null;
            }

            if (!items["locations"].Succeeded) throw await items["locations"].ErrorAsync(ct).ConfigureAwait(false);
            var locations = await ReadLocationsAsync(client, items["locations"], ct).ConfigureAwait(false);
            if (!items["strengths"].Succeeded) throw await items["strengths"].ErrorAsync(ct).ConfigureAwait(false);
            var strengths = await ReadStrengthsAsync(client, items["strengths"], ct).ConfigureAwait(false);
            return new PolicyContext(policies, locations, tap, strengths);
        }, "read the Conditional Access policies, named locations, authentication strengths and TAP policy", ct);

    /// <summary>Every named location, from a listing's first page in a $batch answer and its later pages.</summary>
    internal static async Task<List<NamedLocation>> ReadLocationsAsync(GraphServiceClient client, BatchItem firstPage, CancellationToken ct)
    {
        var locations = new List<NamedLocation>();
        var page = await firstPage.ExpectAsync(NamedLocationCollectionResponse.CreateFromDiscriminatorValue, ct).ConfigureAwait(false);
        while (page is not null)
        {
            locations.AddRange((page.Value ?? []).Select(GraphConditionalAccess.ToNamedLocation).OfType<NamedLocation>());
            page = page.OdataNextLink is { } next
                ? await client.Identity.ConditionalAccess.NamedLocations.WithUrl(next).GetAsync(cancellationToken: ct).ConfigureAwait(false)
                : null;
        }
        return locations;
    }

    /// <summary>
    /// Every authentication strength, from a listing's first page in a $batch answer and its later pages. Read as JSON:
    /// allowedCombinations are authenticationMethodModes, which the SDK folds into a flags enum.
    /// </summary>
    internal static async Task<List<AuthenticationStrength>> ReadStrengthsAsync(GraphServiceClient client, BatchItem firstPage, CancellationToken ct)
    {
        var strengths = new List<AuthenticationStrength>();
        var page = JsonNode.Parse(firstPage.Body ?? "{}") as JsonObject;
        while (page is not null)
        {
            strengths.AddRange((page["value"] as JsonArray ?? []).OfType<JsonObject>().Select(ToStrength));
            page = (string?)page["@odata.nextLink"] is { } next
                ? await GraphJson.SendAsync(client.RequestAdapter, client.Policies.AuthenticationStrengthPolicies.WithUrl(next).ToGetRequestInformation(), ct)
                    .ConfigureAwait(false) as JsonObject
                : null;
        }
        return strengths;
    }

    internal static AuthenticationStrength ToStrength(JsonObject strength) => new(
        (string?)strength["id"] ?? "",
        (string?)strength["displayName"] ?? "",
        (string?)strength["policyType"] ?? "",
        [.. (strength["allowedCombinations"] as JsonArray ?? []).Select(c => (string?)c).OfType<string>()]);

    public Task<PolicyEvidenceResult> GetEvidenceAsync(IReadOnlyList<WhatIfQuery> whatIf, IReadOnlyList<string> signInPolicyIds, DateTimeOffset since,
        CancellationToken ct = default) =>
        GraphFailures.RunAsync(async () =>
        {
            var client = graph.Client;
            var requests = new Dictionary<string, Func<RequestInformation>>();
            for (var i = 0; i < whatIf.Count; i++)
            {
                var query = whatIf[i];
                requests[$"whatif{i}"] = () => client.Identity.ConditionalAccess.Evaluate.ToPostRequestInformation(GraphWhatIfEvaluator.Body(query));
            }
            for (var i = 0; i < signInPolicyIds.Count; i++)
            {
                var policyId = signInPolicyIds[i];
                requests[$"signins{i}"] = () => client.AuditLogs.SignIns.ToGetRequestInformation(rc =>
                {
                    rc.QueryParameters.Filter = GraphSignInReports.Filter(policyId, since);
                    rc.QueryParameters.Top = 1000;
                    rc.Headers.Add(GraphSignInReports.PreferHeader.Name, GraphSignInReports.PreferHeader.Value);
                });
            }
            var items = requests.Count == 0 ? [] : await GraphBatch.SendAsync(client, requests, time, ct).ConfigureAwait(false);

            var results = new List<IReadOnlyList<WhatIfResult>>();
            for (var i = 0; i < whatIf.Count; i++)
                results.Add(GraphWhatIfEvaluator.Results(await items[$"whatif{i}"].ExpectAsync(EvaluatePostResponse.CreateFromDiscriminatorValue, ct).ConfigureAwait(false)));

            var tallies = new Dictionary<string, SignInTally>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < signInPolicyIds.Count; i++)
            {
                var item = items[$"signins{i}"];
                if (item.Status == 403)
                {
                    tallies[signInPolicyIds[i]] = GraphSignInReports.Unavailable(await item.ErrorAsync(ct).ConfigureAwait(false));
                    continue;
                }
                var tally = new GraphSignInReports.Tally(signInPolicyIds[i]);
                await tally.AddPagesAsync(client, await item.ExpectAsync(SignInCollectionResponse.CreateFromDiscriminatorValue, ct).ConfigureAwait(false), ct)
                    .ConfigureAwait(false);
                tallies[signInPolicyIds[i]] = tally.Result;
            }
            return new PolicyEvidenceResult(results, tallies);
        }, "evaluate the registration policies (What-If) and read their sign-ins", ct);
}
