using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TeamsBot.DevTenant.ConditionalAccess;
using TeamsBot.DevTenant.Http;
using TeamsBot.DevTenant.Tenant;

namespace TeamsBot.DevTenant.Dev;

/// <summary>
/// Conditional Access changes "as a person in the portal": the same validation as Graph, and a directory audit entry
/// initiated by that user. POST /_dev/conditionalAccess/policies {actorUpn, policy}, POST …/{id}/change {actorUpn, patch},
/// POST …/{id}/delete {actorUpn}; each takes an optional ipAddress for the audit entry. Refusals answer Graph's error.
/// </summary>
internal static class DevConditionalAccess
{
    public static void Map(RouteGroupBuilder dev, SimulatedGraph graph)
    {
        var state = graph.State;
        var writes = new PolicyWrites(state);
        dev.MapPost("/conditionalAccess/policies", async (HttpContext context) =>
        {
            var (body, actor, refused) = await ReadAsync(context, state).ConfigureAwait(false);
            if (refused is not null)
            {
                return refused;
            }
            lock (state.Sync)
            {
                var (policy, error) = writes.Create(body!["policy"] as JsonObject, actor!);
                return policy is null ? Answer(error!) : Results.Json(state.PresentPolicyUnlocked(policy, Root(context)), statusCode: StatusCodes.Status201Created);
            }
        });
        dev.MapPost("/conditionalAccess/policies/{id}/change", async (string id, HttpContext context) =>
        {
            var (body, actor, refused) = await ReadAsync(context, state).ConfigureAwait(false);
            if (refused is not null)
            {
                return refused;
            }
            lock (state.Sync)
            {
                var (policy, error) = writes.Patch(id, body!["patch"] as JsonObject, actor!);
                return policy is null ? Answer(error!) : Results.Json(state.PresentPolicyUnlocked(policy, Root(context)));
            }
        });
        dev.MapPost("/conditionalAccess/policies/{id}/delete", async (string id, HttpContext context) =>
        {
            var (_, actor, refused) = await ReadAsync(context, state).ConfigureAwait(false);
            if (refused is not null)
            {
                return refused;
            }
            lock (state.Sync)
            {
                return writes.Delete(id, actor!) is { } error ? Answer(error) : Results.NoContent();
            }
        });
    }

    /// <summary>The body and the acting user as an audit initiator, or the 400 when either is missing.</summary>
    private static async Task<(JsonObject? Body, JsonObject? Actor, IResult? Refused)> ReadAsync(HttpContext context, TenantState state)
    {
        if (await DevJson.ReadObjectAsync(context).ConfigureAwait(false) is not { } body || (string?)body["actorUpn"] is not { } upn)
        {
            return (null, null, DevJson.Error("The body needs actorUpn: the person making the change."));
        }
        if (state.FindUser(upn) is not { } user)
        {
            return (null, null, DevJson.Error($"No user '{upn}'."));
        }
        return (body, TenantState.UserInitiator(user, (string?)body["ipAddress"]), null);
    }

    private static IResult Answer(GraphResponse error) => Results.Json(error.Body, statusCode: error.Status);

    private static string Root(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/v1.0";
}
