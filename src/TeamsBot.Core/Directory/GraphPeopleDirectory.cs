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
    public Task<TapCandidate> GetTapCandidateAsync(TapCandidateQuery query, CancellationToken ct = default) =>
        GraphFailures.RunAsync(async () =>
        {
            var client = graph.Client;
            var target = client.Users[query.TargetIdOrUpn];
            var approverGroups = query.ApproverGroupIds.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var requests = new Dictionary<string, Func<RequestInformation>>
            {
                ["target"] = () => target.ToGetRequestInformation(rc => rc.QueryParameters.Select = DirectoryMapping.UserSelect),
                ["manager"] = () => target.Manager.ToGetRequestInformation(rc => rc.QueryParameters.Select = ["id"]),
                ["memberOf"] = () => target.TransitiveMemberOf.ToGetRequestInformation(rc => rc.QueryParameters.Top = PageSize),
                ["methods"] = () => target.Authentication.Methods.ToGetRequestInformation(),
                ["policy"] = () => client.Policies.AuthenticationMethodsPolicy.AuthenticationMethodConfigurations["TemporaryAccessPass"].ToGetRequestInformation(),
            };
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

            if (items["target"].Status == 404)
            {
                return new TapCandidate(null, null, new HashSet<string>(), [], [], policy, requesterInGroup, approvers);
            }
            var user = await items["target"].ExpectAsync(User.CreateFromDiscriminatorValue, ct).ConfigureAwait(false);

            string? managerId = null;
            if (items["manager"].Status != 404)
            {
                managerId = (await items["manager"].ExpectAsync(DirectoryObject.CreateFromDiscriminatorValue, ct).ConfigureAwait(false))?.Id;
            }

            var memberOfPage = await items["memberOf"].ExpectAsync(DirectoryObjectCollectionResponse.CreateFromDiscriminatorValue, ct).ConfigureAwait(false);
            var memberOf = await WithLaterPagesAsync(memberOfPage, next => target.TransitiveMemberOf.WithUrl(next).GetAsync(cancellationToken: ct))
                .ConfigureAwait(false);
            var groups = memberOf.OfType<Group>().Select(g => g.Id).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
            // Without RoleManagement.Read.Directory Graph lists a role with its id only: it is still a role, so it is kept
            // (with an empty template id) rather than letting an administrator pass as a plain user.
            var roles = memberOf.OfType<DirectoryRole>()
                .Select(r => r.RoleTemplateId is { } template
                    ? new DirectoryRoleHolding(template, r.DisplayName ?? template)
                    : new DirectoryRoleHolding("", "A directory role the bot cannot read (grant RoleManagement.Read.Directory)"))
                .ToList();

            var methods = await items["methods"].ExpectAsync(AuthenticationMethodCollectionResponse.CreateFromDiscriminatorValue, ct).ConfigureAwait(false);
            var methodTypes = (methods?.Value ?? []).Select(DirectoryMapping.MethodType).Distinct(StringComparer.Ordinal).ToList();

            return new TapCandidate(user is null ? null : DirectoryMapping.ToDirectoryUser(user), managerId, groups, roles, methodTypes, policy,
                requesterInGroup, approvers);
        }, "read the request's target, approvers and TAP policy", ct);

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
