using System.Globalization;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;

namespace TeamsBot.Directory;

/// <summary>Applied-policy results from the sign-in log through Microsoft Graph.</summary>
internal sealed class GraphSignInReports(GraphClientProvider graph) : ISignInReports
{
    private const int PageSize = 1000;

    public Task<SignInTally> CountForPolicyAsync(string policyId, DateTimeOffset since, CancellationToken ct = default) =>
        GraphFailures.RunAsync(async () =>
        {
            var client = graph.Client;
            var filter = $"createdDateTime ge {since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}"
                + $" and appliedConditionalAccessPolicies/any(p:p/id eq '{policyId.Replace("'", "''", StringComparison.Ordinal)}')";
            var byResult = new Dictionary<string, int>(StringComparer.Ordinal);
            var total = 0;
            try
            {
                var page = await client.AuditLogs.SignIns.GetAsync(rc =>
                {
                    rc.QueryParameters.Filter = filter;
                    rc.QueryParameters.Top = PageSize;
                    // Without it Graph reports reportOnly* results as unknownFutureValue.
                    rc.Headers.Add("Prefer", "include-unknown-enum-members");
                }, ct).ConfigureAwait(false);
                while (page is not null)
                {
                    foreach (var signIn in page.Value ?? [])
                    {
                        var applied = signIn.AppliedConditionalAccessPolicies?.FirstOrDefault(p => string.Equals(p.Id, policyId, StringComparison.OrdinalIgnoreCase));
                        if (applied is null)
                        {
                            continue;
                        }
                        total++;
                        var result = applied.Result is { } r ? GraphEnums.WireName(r) : "unknown";
                        byResult[result] = byResult.GetValueOrDefault(result) + 1;
                    }
                    page = page.OdataNextLink is { } next
                        ? await client.AuditLogs.SignIns.WithUrl(next).GetAsync(rc => rc.Headers.Add("Prefer", "include-unknown-enum-members"), ct).ConfigureAwait(false)
                        : null;
                }
            }
            catch (ODataError e) when (e.ResponseStatusCode == 403)
            {
                var reason = e.Error?.Code == "Authentication_RequestFromNonPremiumTenantOrB2CTenant"
                    ? "Sign-in logs need a Microsoft Entra ID P1 or P2 license."
                    : "The bot may not read sign-in logs: it needs AuditLog.Read.All (and Policy.Read.All for the applied policies).";
                return new SignInTally(0, new Dictionary<string, int>(), false, reason);
            }
            return new SignInTally(total, byResult, true, null);
        }, "read the sign-in logs", ct);
}
