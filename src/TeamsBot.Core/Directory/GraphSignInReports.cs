using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;

namespace TeamsBot.Directory;

/// <summary>
/// Applied-policy results from the sign-in log (GET /auditLogs/signIns, read in the status's $batch by
/// <see cref="GraphPolicyEvidence"/>): the query, the tally over pages, and what a tenant that can't give them says.
/// </summary>
internal static class GraphSignInReports
{
    // Without it Graph reports reportOnly* results as unknownFutureValue.
    internal static readonly (string Name, string Value) PreferHeader = ("Prefer", "include-unknown-enum-members");

    internal static string Filter(string policyId, DateTimeOffset since) =>
        $"createdDateTime ge {since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}"
        + $" and appliedConditionalAccessPolicies/any(p:p/id eq '{policyId.Replace("'", "''", StringComparison.Ordinal)}')";

    internal static SignInTally Unavailable(ODataError e) => new(0, new Dictionary<string, int>(), false,
        e.Error?.Code == "Authentication_RequestFromNonPremiumTenantOrB2CTenant"
            ? "Sign-in logs need a Microsoft Entra ID P1 or P2 license."
            : "The bot may not read sign-in logs: it needs AuditLog.Read.All (and Policy.Read.All for the applied policies).");

    /// <summary>Counts one policy's applied results over sign-in pages (later pages read as needed).</summary>
    internal sealed class Tally(string policyId)
    {
        private readonly Dictionary<string, int> byResult = new(StringComparer.Ordinal);
        private int total;

        public SignInTally Result => new(total, byResult, true, null);

        public async Task AddPagesAsync(Microsoft.Graph.GraphServiceClient client, SignInCollectionResponse? page, CancellationToken ct)
        {
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
                    ? await client.AuditLogs.SignIns.WithUrl(next).GetAsync(rc => rc.Headers.Add(PreferHeader.Name, PreferHeader.Value), ct).ConfigureAwait(false)
                    : null;
            }
        }
    }
}
