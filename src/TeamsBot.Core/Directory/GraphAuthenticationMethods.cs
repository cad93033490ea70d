using Microsoft.Graph.Models;
using Microsoft.Kiota.Abstractions;

namespace TeamsBot.Directory;

/// <summary>
/// Users' registered methods through Microsoft Graph: <c>GET /users/{id}/authentication/methods</c>
/// (https://learn.microsoft.com/graph/api/authentication-list-methods, permission UserAuthenticationMethod.Read.All),
/// many users per $batch (https://learn.microsoft.com/graph/json-batching: at most 20 requests per batch).
/// </summary>
internal sealed class GraphAuthenticationMethods(GraphClientProvider graph, TimeProvider time, ILogger<GraphAuthenticationMethods> logger)
    : IAuthenticationMethods
{
    public Task<IReadOnlyDictionary<string, IReadOnlyList<RegisteredMethod>>> ListForUsersAsync(IReadOnlyCollection<string> userIds,
        CancellationToken ct = default) =>
        GraphFailures.RunAsync<IReadOnlyDictionary<string, IReadOnlyList<RegisteredMethod>>>(async () =>
        {
            var client = graph.Client;
            var ids = userIds.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var result = new Dictionary<string, IReadOnlyList<RegisteredMethod>>(StringComparer.OrdinalIgnoreCase);
            if (ids.Count == 0) return result;
            var requests = new Dictionary<string, Func<RequestInformation>>(StringComparer.Ordinal);
            for (var i = 0; i < ids.Count; i++)
            {
                var userId = ids[i];
                requests[$"m{i}"] = () => client.Users[userId].Authentication.Methods.ToGetRequestInformation();
            }
            var items = await GraphBatch.SendAsync(client, requests, time, ct).ConfigureAwait(false);
            for (var i = 0; i < ids.Count; i++)
            {
                var item = items[$"m{i}"];
                if (!item.Succeeded)
                {
                    // One user's failure must not hide the others': that user is read again next time.
                    logger.LogWarning("The methods of {UserId} could not be read: {Status}", ids[i], item.Status);
                    continue;
                }
                var userId = ids[i];
                var methods = new List<RegisteredMethod>();
                var page = await item.ReadAsync(AuthenticationMethodCollectionResponse.CreateFromDiscriminatorValue, ct).ConfigureAwait(false);
                while (page is not null)
                {
                    methods.AddRange((page.Value ?? []).Select(m => new RegisteredMethod(m.Id ?? "", DirectoryMapping.MethodType(m), m.CreatedDateTime)));
                    page = page.OdataNextLink is { } next
                        ? await client.Users[userId].Authentication.Methods.WithUrl(next).GetAsync(cancellationToken: ct).ConfigureAwait(false)
                        : null;
                }
                result[userId] = methods;
            }
            return result;
        }, "read the users' sign-in methods", ct);
}
