using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Users.Item.CheckMemberGroups;
using Microsoft.Kiota.Abstractions;

namespace TeamsBot.Directory;

/// <summary>People, managers and group membership through Microsoft Graph.</summary>
internal sealed class GraphPeopleDirectory(GraphClientProvider graph, TimeProvider time) : IPeopleDirectory
{
    private const int CheckMemberGroupsLimit = 20;
    private const int PageSize = 999;

    public Task<DirectoryUser?> FindUserAsync(string idOrUpn, CancellationToken ct = default) =>
        GraphFailures.RunAsync(async () =>
        {
            try
            {
                var user = await graph.Client.Users[idOrUpn].GetAsync(rc => rc.QueryParameters.Select = DirectoryMapping.UserSelect, ct).ConfigureAwait(false);
                return user is null ? null : DirectoryMapping.ToDirectoryUser(user);
            }
            catch (Microsoft.Graph.Models.ODataErrors.ODataError e) when (e.ResponseStatusCode == 404)
            {
                return null;
            }
        }, "read the user", ct);

    public Task<IReadOnlyList<DirectoryUser>> GetDirectReportsAsync(string managerId, CancellationToken ct = default) =>
        GraphFailures.RunAsync<IReadOnlyList<DirectoryUser>>(async () =>
        {
            var client = graph.Client;
            var reports = new List<DirectoryUser>();
            var page = await client.Users[managerId].DirectReports.GetAsync(rc => rc.QueryParameters.Select = DirectoryMapping.UserSelect, ct)
                .ConfigureAwait(false);
            while (page is not null)
            {
                reports.AddRange((page.Value ?? []).OfType<User>().Select(DirectoryMapping.ToDirectoryUser));
                page = page.OdataNextLink is { } next
                    ? await client.Users[managerId].DirectReports.WithUrl(next).GetAsync(cancellationToken: ct).ConfigureAwait(false)
                    : null;
            }
            return reports;
        }, "read the manager's direct reports", ct);

    public Task<TapFormFacts> GetTapFormFactsAsync(string requesterId, CancellationToken ct = default) =>
        GraphFailures.RunAsync(async () =>
        {
            var client = graph.Client;
            var requests = new Dictionary<string, Func<RequestInformation>>
            {
                ["reports"] = () => client.Users[requesterId].DirectReports.ToGetRequestInformation(rc =>
                {
                    rc.QueryParameters.Select = DirectoryMapping.UserSelect;
                    rc.QueryParameters.Top = PageSize;
                }),
                ["policy"] = () => client.Policies.AuthenticationMethodsPolicy.AuthenticationMethodConfigurations["TemporaryAccessPass"].ToGetRequestInformation(),
            };
            var items = await GraphBatch.SendAsync(client, requests, time, ct).ConfigureAwait(false);
            var policy = DirectoryMapping.ToTapPolicy(await items["policy"].ExpectAsync(AuthenticationMethodConfiguration.CreateFromDiscriminatorValue, ct).ConfigureAwait(false));
            if (items["reports"].Status == 404) return new TapFormFacts([], policy);
            var page = await items["reports"].ExpectAsync(DirectoryObjectCollectionResponse.CreateFromDiscriminatorValue, ct).ConfigureAwait(false);
            var all = await WithLaterPagesAsync(page, next => client.Users[requesterId].DirectReports.WithUrl(next).GetAsync(cancellationToken: ct))
                .ConfigureAwait(false);
            return new TapFormFacts([.. all.OfType<User>().Select(DirectoryMapping.ToDirectoryUser)], policy);
        }, "read the request form's facts (direct reports, TAP policy)", ct);

    public Task<IReadOnlySet<string>> CheckMemberGroupsAsync(string userId, IReadOnlyCollection<string> groupIds, CancellationToken ct = default) =>
        GraphFailures.RunAsync<IReadOnlySet<string>>(async () =>
        {
            var found = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            // Graph checks at most 20 groups per call.
            foreach (var chunk in groupIds.Distinct(StringComparer.OrdinalIgnoreCase).Chunk(CheckMemberGroupsLimit))
            {
                var answer = await graph.Client.Users[userId].CheckMemberGroups
                    .PostAsCheckMemberGroupsPostResponseAsync(new CheckMemberGroupsPostRequestBody { GroupIds = [.. chunk] }, cancellationToken: ct)
                    .ConfigureAwait(false);
                found.UnionWith(answer?.Value ?? []);
            }
            return found;
        }, "check the user's group membership", ct);

    public Task<IReadOnlyList<string>> GetGroupUserIdsAsync(string groupId, CancellationToken ct = default) =>
        GraphFailures.RunAsync<IReadOnlyList<string>>(async () =>
        {
            var client = graph.Client;
            var ids = new List<string>();
            var page = await client.Groups[groupId].TransitiveMembers.GetAsync(rc =>
            {
                rc.QueryParameters.Select = ["id"];
                rc.QueryParameters.Top = PageSize;
            }, ct).ConfigureAwait(false);
            while (page is not null)
            {
                ids.AddRange((page.Value ?? []).OfType<User>().Select(u => u.Id).OfType<string>());
                page = page.OdataNextLink is { } next
                    ? await client.Groups[groupId].TransitiveMembers.WithUrl(next).GetAsync(cancellationToken: ct).ConfigureAwait(false)
                    : null;
            }
            return ids.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        }, "read the group's members", ct);

    /// <summary>
    /// One $batch round trip: the target (with userType, accountEnabled, hire date, guest markers), its manager, its
    /// groups and roles, its methods, the TAP policy, the requester's requesters-group membership and every approver
    /// group's users. A target that does not exist gives Target = null.
    /// </summary>
    public async Task<TapCandidate> GetTapCandidateAsync(TapCandidateQuery query, CancellationToken ct = default) =>
        (await GetTapCandidatesAsync(new TapCandidatesQuery(query.RequesterId, [query.TargetIdOrUpn], query.RequestersGroupId, query.ApproverGroupIds,
            query.WithRegistrationContext), ct).ConfigureAwait(false))[0];

    /// <summary>
    /// The same facts for several targets: what every request shares (the TAP policy, the requester's group, the
    /// approver groups, the named locations and strengths) is read once, each target's reads beside it, all in Graph
    /// $batch calls of at most 20 requests (https://learn.microsoft.com/graph/json-batching). Targets named by sign-in
    /// name have their roles read in one more batch, once their object ids are known.
    /// </summary>
    public Task<IReadOnlyList<TapCandidate>> GetTapCandidatesAsync(TapCandidatesQuery query, CancellationToken ct = default) =>
        GraphFailures.RunAsync<IReadOnlyList<TapCandidate>>(async () =>
        {
            var client = graph.Client;
            var approverGroups = query.ApproverGroupIds.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var requests = new Dictionary<string, Func<RequestInformation>>(StringComparer.Ordinal);
            for (var t = 0; t < query.TargetIdsOrUpns.Count; t++)
            {
                var idOrUpn = query.TargetIdsOrUpns[t];
                var target = client.Users[idOrUpn];
                var p = TargetPrefix(t);
                requests[p + "target"] = () => target.ToGetRequestInformation(rc => rc.QueryParameters.Select = DirectoryMapping.UserSelect);
                requests[p + "manager"] = () => target.Manager.ToGetRequestInformation(rc => rc.QueryParameters.Select = ["id"]);
                requests[p + "memberOf"] = () => target.TransitiveMemberOf.ToGetRequestInformation(rc => rc.QueryParameters.Top = PageSize);
                requests[p + "methods"] = () => target.Authentication.Methods.ToGetRequestInformation();
                // Roles by the target's object id: in this round trip when the query names it, else in a second one.
                if (Guid.TryParse(idOrUpn, out _)) AddRoleRequests(requests, p, idOrUpn);
            }
            requests["policy"] = () => client.Policies.AuthenticationMethodsPolicy.AuthenticationMethodConfigurations["TemporaryAccessPass"].ToGetRequestInformation();
            if (query.WithRegistrationContext)
            {
                // Named locations (https://learn.microsoft.com/graph/api/conditionalaccessroot-list-namedlocations) and
                // authentication strengths (https://learn.microsoft.com/graph/api/authenticationstrengthroot-list-policies),
                // both Policy.Read.All: where a What-If is asked from, and which strengths a pass satisfies.
                requests["locations"] = () => client.Identity.ConditionalAccess.NamedLocations.ToGetRequestInformation();
                requests["strengths"] = () => client.Policies.AuthenticationStrengthPolicies.ToGetRequestInformation();
            }
            if (query.RequestersGroupId is { } requestersGroup)
            {
                requests["requester"] = () => client.Users[query.RequesterId].CheckMemberGroups.ToPostRequestInformation(
                    new CheckMemberGroupsPostRequestBody { GroupIds = [requestersGroup] });
            }
            for (var i = 0; i < approverGroups.Count; i++)
            {
                var groupId = approverGroups[i];
                requests[$"approvers{i}"] = () => client.Groups[groupId].TransitiveMembers.ToGetRequestInformation(rc =>
                {
                    rc.QueryParameters.Select = ["id"];
                    rc.QueryParameters.Top = PageSize;
                });
            }

            var items = await GraphBatch.SendAsync(client, requests, time, ct).ConfigureAwait(false);

            var policy = DirectoryMapping.ToTapPolicy(await items["policy"].ExpectAsync(AuthenticationMethodConfiguration.CreateFromDiscriminatorValue, ct).ConfigureAwait(false));
            var registration = query.WithRegistrationContext ? await RegistrationContextAsync(items, ct).ConfigureAwait(false) : null;

            var requesterInGroup = false;
            if (items.TryGetValue("requester", out var requester) && requester.Status != 404)
            {
                var answer = await requester.ExpectAsync(CheckMemberGroupsPostResponse.CreateFromDiscriminatorValue, ct).ConfigureAwait(false);
                requesterInGroup = answer?.Value?.Contains(query.RequestersGroupId!, StringComparer.OrdinalIgnoreCase) == true;
            }

            var approvers = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < approverGroups.Count; i++)
            {
                if (items[$"approvers{i}"].Status == 404)
                {
                    throw new DirectoryException(DirectoryErrorKind.NotFound,
                        $"The approvers group {approverGroups[i]} does not exist in the directory. Check the Tap approver group settings.",
                        "Request_ResourceNotFound", statusCode: 404);
                }
                var groupId = approverGroups[i];
                var members = await items[$"approvers{i}"].ExpectAsync(DirectoryObjectCollectionResponse.CreateFromDiscriminatorValue, ct).ConfigureAwait(false);
                var all = await WithLaterPagesAsync(members, next => client.Groups[groupId].TransitiveMembers.WithUrl(next).GetAsync(cancellationToken: ct))
                    .ConfigureAwait(false);
                approvers[groupId] = all.OfType<User>().Select(u => u.Id).OfType<string>().ToList();
            }

            // Targets named by sign-in name: their roles by object id, all in one more batch.
            var users = new User?[query.TargetIdsOrUpns.Count];
            var more = new Dictionary<string, Func<RequestInformation>>(StringComparer.Ordinal);
            for (var t = 0; t < users.Length; t++)
            {
                var p = TargetPrefix(t);
                if (items[p + "target"].Status == 404) continue;
                users[t] = await items[p + "target"].ExpectAsync(User.CreateFromDiscriminatorValue, ct).ConfigureAwait(false);
                if (!items.ContainsKey(p + "roleAssignments") && users[t]?.Id is { } userId) AddRoleRequests(more, p, userId);
            }
            if (more.Count > 0)
                foreach (var (key, item) in await GraphBatch.SendAsync(client, more, time, ct).ConfigureAwait(false)) items[key] = item;

            var candidates = new List<TapCandidate>();
            for (var t = 0; t < users.Length; t++)
            {
                var p = TargetPrefix(t);
                if (users[t] is not { } user)
                {
                    candidates.Add(new TapCandidate(null, null, new HashSet<string>(), [], [], policy, requesterInGroup, approvers, registration));
                    continue;
                }
                var target = client.Users[query.TargetIdsOrUpns[t]];

                string? managerId = null;
                if (items[p + "manager"].Status != 404)
                {
                    managerId = (await items[p + "manager"].ExpectAsync(DirectoryObject.CreateFromDiscriminatorValue, ct).ConfigureAwait(false))?.Id;
                }

                var memberOfPage = await items[p + "memberOf"].ExpectAsync(DirectoryObjectCollectionResponse.CreateFromDiscriminatorValue, ct).ConfigureAwait(false);
                var memberOf = await WithLaterPagesAsync(memberOfPage, next => target.TransitiveMemberOf.WithUrl(next).GetAsync(cancellationToken: ct))
                    .ConfigureAwait(false);
                var groups = memberOf.OfType<Group>().Select(g => g.Id).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
                // Without RoleManagement.Read.Directory Graph lists a role with its id only: it is still a role, so it is kept
                // (with an empty template id) rather than letting an administrator pass as a plain user.
                var roles = memberOf.OfType<DirectoryRole>()
                    .Select(r => r.RoleTemplateId is { } template ? new DirectoryRoleHolding(template, r.DisplayName ?? template) : Unreadable)
                    .ToList();
                if (items.ContainsKey(p + "roleAssignments")) roles = Merge(roles, await ScopedAndEligibleRolesAsync(items, p, ct).ConfigureAwait(false));

                var methods = await items[p + "methods"].ExpectAsync(AuthenticationMethodCollectionResponse.CreateFromDiscriminatorValue, ct).ConfigureAwait(false);
                var methodTypes = (methods?.Value ?? []).Select(DirectoryMapping.MethodType).Distinct(StringComparer.Ordinal).ToList();

                candidates.Add(new TapCandidate(DirectoryMapping.ToDirectoryUser(user), managerId, groups, roles, methodTypes, policy,
                    requesterInGroup, approvers, registration));
            }
            return candidates;
        }, "read the request's target, approvers and TAP policy", ct);

    public Task<IReadOnlyDictionary<string, string>> NamesAsync(IReadOnlyCollection<string> objectIds, CancellationToken ct = default) =>
        GraphFailures.RunAsync<IReadOnlyDictionary<string, string>>(async () =>
        {
            var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var client = graph.Client;
            // A user and a group read per id (which one it is isn't known): ten ids per $batch of twenty.
            foreach (var chunk in objectIds.Where(id => Guid.TryParse(id, out _)).Distinct(StringComparer.OrdinalIgnoreCase).Chunk(10))
            {
                var requests = new Dictionary<string, Func<RequestInformation>>();
                for (var i = 0; i < chunk.Length; i++)
                {
                    var id = chunk[i];
                    requests[$"u{i}"] = () => client.Users[id].ToGetRequestInformation(rc => rc.QueryParameters.Select = ["displayName", "userPrincipalName"]);
                    requests[$"g{i}"] = () => client.Groups[id].ToGetRequestInformation(rc => rc.QueryParameters.Select = ["displayName"]);
                }
                var items = await GraphBatch.SendAsync(client, requests, time, ct).ConfigureAwait(false);
                for (var i = 0; i < chunk.Length; i++)
                {
                    if (items[$"u{i}"].Succeeded && await items[$"u{i}"].ReadAsync(User.CreateFromDiscriminatorValue, ct).ConfigureAwait(false) is { DisplayName: { } person } user)
                        names[chunk[i]] = user.UserPrincipalName is { } upn ? $"{person} ({upn})" : person;
                    else if (items[$"g{i}"].Succeeded && await items[$"g{i}"].ReadAsync(Group.CreateFromDiscriminatorValue, ct).ConfigureAwait(false) is { DisplayName: { } group })
                        names[chunk[i]] = $"{group} (group)";
                }
            }
            return names;
        }, "read the names of users and groups", ct);
    /// <summary>The batch ids of one target's reads: "0:target", "0:manager"…; the single request's are the first target's.</summary>
    private static string TargetPrefix(int index) => index.ToString(CultureInfo.InvariantCulture) + ":";

    /// <summary>
    /// Role assignments at every scope (tenant-wide and administrative units) and PIM eligibilities: transitiveMemberOf
    /// lists only active, tenant-wide roles, and an eligible Global Administrator is one activation away from the role
    /// (roleManagement/directory: rbacapplication-list-roleassignments, -list-roleeligibilityscheduleinstances).
    /// </summary>
    private void AddRoleRequests(Dictionary<string, Func<RequestInformation>> requests, string prefix, string principalId)
    {
        var directory = graph.Client.RoleManagement.Directory;
        var filter = $"principalId eq '{principalId}'";
        requests[prefix + "roleAssignments"] = () => directory.RoleAssignments.ToGetRequestInformation(rc =>
        {
            rc.QueryParameters.Filter = filter;
            rc.QueryParameters.Expand = ["roleDefinition"];
        });
        requests[prefix + "roleEligibilities"] = () => directory.RoleEligibilityScheduleInstances.ToGetRequestInformation(rc =>
        {
            rc.QueryParameters.Filter = filter;
            rc.QueryParameters.Expand = ["roleDefinition"];
        });
    }

    private static async Task<List<DirectoryRoleHolding>> ScopedAndEligibleRolesAsync(Dictionary<string, BatchItem> items, string prefix, CancellationToken ct)
    {
        var roles = new List<DirectoryRoleHolding>();
        // Without RoleManagement.Read.Directory both reads answer 403: the person's roles are unknown, and unknown is
        // treated as privileged, so that no eligible administrator passes as a plain user.
        if (items[prefix + "roleAssignments"].Status == 403 || items[prefix + "roleEligibilities"].Status == 403)
        {
            roles.Add(Unreadable);
            return roles;
        }
        var assignments = await items[prefix + "roleAssignments"].ExpectAsync(UnifiedRoleAssignmentCollectionResponse.CreateFromDiscriminatorValue, ct)
            .ConfigureAwait(false);
        foreach (var assignment in assignments?.Value ?? [])
            roles.Add(Holding(assignment.RoleDefinition, assignment.RoleDefinitionId, assignment.DirectoryScopeId, eligible: false));
        // A tenant without Entra ID P2 has no PIM: the eligibility list then answers 400, and there is nothing eligible.
        var eligibilities = items[prefix + "roleEligibilities"];
        if (eligibilities.Status == 400) return roles;
        var instances = await eligibilities.ExpectAsync(UnifiedRoleEligibilityScheduleInstanceCollectionResponse.CreateFromDiscriminatorValue, ct)
            .ConfigureAwait(false);
        foreach (var instance in instances?.Value ?? [])
            roles.Add(Holding(instance.RoleDefinition, instance.RoleDefinitionId, instance.DirectoryScopeId, eligible: true));
        return roles;
    }

    private static DirectoryRoleHolding Holding(UnifiedRoleDefinition? definition, string? definitionId, string? scope, bool eligible)
    {
        var template = definition?.TemplateId ?? definitionId ?? "";
        var name = definition?.DisplayName ?? "A directory role";
        var scoped = scope is { Length: > 0 } s && s != "/";
        return new DirectoryRoleHolding(template, name, Eligible: eligible, Scoped: scoped);
    }

    /// <summary>
    /// The named locations and strengths from the batch; a part Graph would not give (no permission, throttled past the
    /// retries) is null, so that the request is still decided on the rest and the check says what it could not see.
    /// </summary>
    private async Task<RegistrationContext> RegistrationContextAsync(Dictionary<string, BatchItem> items, CancellationToken ct)
    {
        var client = graph.Client;
        var locations = items["locations"].Succeeded
            ? await GraphPolicyEvidence.ReadLocationsAsync(client, items["locations"], ct).ConfigureAwait(false)
            : null;
        var strengths = items["strengths"].Succeeded
            ? await GraphPolicyEvidence.ReadStrengthsAsync(client, items["strengths"], ct).ConfigureAwait(false)
            : null;
        return new RegistrationContext(locations, strengths);
    }

    private static readonly DirectoryRoleHolding Unreadable = new("", "A directory role the bot cannot read (grant RoleManagement.Read.Directory)");

    /// <summary>One holding per role and kind (an active tenant-wide role is listed by both reads).</summary>
    private static List<DirectoryRoleHolding> Merge(List<DirectoryRoleHolding> active, List<DirectoryRoleHolding> more)
    {
        var all = new List<DirectoryRoleHolding>(active);
        foreach (var role in more)
            if (!all.Any(r => string.Equals(r.RoleTemplateId, role.RoleTemplateId, StringComparison.OrdinalIgnoreCase)
                && r.Eligible == role.Eligible && r.Scoped == role.Scoped))
                all.Add(role);
        return all;
    }

    /// <summary>
    /// A batch item's collection plus any later pages (only for more than 999 objects, so the common case stays one
    /// round trip).
    /// </summary>
    private static async Task<List<DirectoryObject>> WithLaterPagesAsync(DirectoryObjectCollectionResponse? page,
        Func<string, Task<DirectoryObjectCollectionResponse?>> nextPage)
    {
        var objects = new List<DirectoryObject>();
        while (page is not null)
        {
            objects.AddRange(page.Value ?? []);
            page = page.OdataNextLink is { } next ? await nextPage(next).ConfigureAwait(false) : null;
        }
        return objects;
    }

}
