using Microsoft.Graph.Identity.ConditionalAccess.Evaluate;
using Microsoft.Graph.Models;
using Microsoft.Kiota.Abstractions;

namespace TeamsBot.Directory;

/// <summary>Conditional Access What-If through Microsoft Graph (POST /identity/conditionalAccess/evaluate).</summary>
internal sealed class GraphWhatIfEvaluator(GraphClientProvider graph, TimeProvider time) : IWhatIfEvaluator
{
    public Task<IReadOnlyList<IReadOnlyList<WhatIfResult>>> EvaluateAllAsync(IReadOnlyList<WhatIfQuery> queries, CancellationToken ct = default) =>
        GraphFailures.RunAsync<IReadOnlyList<IReadOnlyList<WhatIfResult>>>(async () =>
        {
            if (queries.Count == 0) return [];
            var client = graph.Client;
            var requests = new Dictionary<string, Func<RequestInformation>>(StringComparer.Ordinal);
            for (var i = 0; i < queries.Count; i++)
            {
                var query = queries[i];
                requests[$"whatif{i}"] = () => client.Identity.ConditionalAccess.Evaluate.ToPostRequestInformation(Body(query));
            }
            var items = await GraphBatch.SendAsync(client, requests, time, ct).ConfigureAwait(false);
            var results = new List<IReadOnlyList<WhatIfResult>>();
            for (var i = 0; i < queries.Count; i++)
                results.Add(Results(await items[$"whatif{i}"].ExpectAsync(EvaluatePostResponse.CreateFromDiscriminatorValue, ct).ConfigureAwait(false)));
            return results;
        }, "evaluate the Conditional Access policies (What-If)", ct);

    internal static EvaluatePostRequestBody Body(WhatIfQuery query) => new()
    {
        SignInIdentity = new UserSignIn { UserId = query.UserId },
        SignInContext = new UserActionContext
        {
            UserAction = GraphEnums.Parse<UserAction>(query.UserAction)
                ?? throw new DirectoryException(DirectoryErrorKind.BadRequest, $"'{query.UserAction}' is not a What-If user action."),
        },
        SignInConditions = new SignInConditions
        {
            IpAddress = query.IpAddress,
            Country = query.Country,
            ClientAppType = GraphEnums.Parse<ConditionalAccessClientApp>(query.ClientAppType),
            DevicePlatform = GraphEnums.Parse<ConditionalAccessDevicePlatform>(query.DevicePlatform),
        },
        // Every policy comes back, so "not applied" is evidence too.
        AppliedPoliciesOnly = false,
    };

    internal static IReadOnlyList<WhatIfResult> Results(EvaluatePostResponse? answer) => [.. (answer?.Value ?? []).Select(r => new WhatIfResult(
        r.Id ?? "",
        r.DisplayName ?? "",
        r.State is { } state ? GraphEnums.WireName(state) : "",
        r.PolicyApplies ?? false,
        (r.GrantControls?.BuiltInControls ?? []).OfType<ConditionalAccessGrantControl>().Select(GraphEnums.WireName).ToList(),
        r.AnalysisReasons is { } reasons ? GraphEnums.WireName(reasons) : null,
        r.GrantControls?.Operator,
        r.GrantControls?.AuthenticationStrength?.Id))];
}
