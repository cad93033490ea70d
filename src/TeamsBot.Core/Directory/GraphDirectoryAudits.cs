namespace TeamsBot.Directory;

/// <summary>
/// Conditional Access changes from the directory audit log: GET /auditLogs/directoryAudits with
/// <c>$filter=category eq 'Policy' and targetResources/any(t: t/id eq '{id}')</c>, newest first
/// (https://learn.microsoft.com/graph/api/directoryaudit-list, the filterable properties on
/// https://learn.microsoft.com/graph/api/resources/directoryaudit; permission AuditLog.Read.All).
/// </summary>
internal sealed class GraphDirectoryAudits(GraphClientProvider graph) : IDirectoryAudits
{
    public Task<IReadOnlyList<PolicyChange>> ListPolicyChangesAsync(string policyId, int top, CancellationToken ct = default) =>
        GraphFailures.RunAsync<IReadOnlyList<PolicyChange>>(async () =>
        {
            if (!Guid.TryParse(policyId, out var id)) return [];
            var own = graph.OwnAppIds;
            var page = await graph.Client.AuditLogs.DirectoryAudits.GetAsync(rc =>
            {
                rc.QueryParameters.Filter = $"category eq 'Policy' and targetResources/any(t: t/id eq '{id}')";
                rc.QueryParameters.Orderby = ["activityDateTime desc"];
                rc.QueryParameters.Top = Math.Clamp(top, 1, 50);
            }, ct).ConfigureAwait(false);
            return [.. (page?.Value ?? []).Select(a =>
            {
                var user = a.InitiatedBy?.User;
                var app = a.InitiatedBy?.App;
                var byPerson = user is not null && (user.Id is not null || user.UserPrincipalName is not null);
                var byUs = !byPerson && (own.Count == 0 || (app?.AppId is { } appId && own.Contains(appId)));
                return new PolicyChange(a.ActivityDateTime ?? DateTimeOffset.MinValue, a.ActivityDisplayName ?? "",
                    byPerson ? user!.DisplayName : null, byPerson ? user!.UserPrincipalName : null, app?.AppId, app?.DisplayName, byUs);
            })];
        }, "read the directory audit log", ct);
}
