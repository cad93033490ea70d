using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TeamsBot.DevTenant.Dev;

namespace TeamsBot.DevTenant;

public static class SimulatedGraphEndpoints
{
    /// <summary>
    /// Maps the simulated Graph at /v1.0 (and its few beta-only calls at /beta) and its developer API at /_dev: faults
    /// (GET, POST, DELETE /_dev/faults, DELETE /_dev/faults/{id}), the request log (GET, DELETE /_dev/requests), a reset
    /// (POST /_dev/reset), the seeded people (GET /_dev/tenant), settings (GET, POST /_dev/settings), the bot's Teams app
    /// installations (/_dev/teamsApp), methods users register (/_dev/users/{user}/authenticationMethods) and Conditional
    /// Access changes made as a person (/_dev/conditionalAccess/policies). The README lists them.
    /// </summary>
    public static IEndpointRouteBuilder MapSimulatedGraph(this IEndpointRouteBuilder endpoints, SimulatedGraph graph)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(graph);
        endpoints.Map("/v1.0/{**path}", graph.HandleAsync);
        endpoints.Map("/beta/{**path}", graph.HandleBetaAsync);

        var dev = endpoints.MapGroup("/_dev");
        dev.MapGet("/faults", () => Results.Json(graph.Faults.Rules));
        dev.MapPost("/faults", async (HttpContext context) =>
        {
            try
            {
                var rule = await JsonSerializer.DeserializeAsync<FaultRule>(context.Request.Body, DevJson.Options, context.RequestAborted).ConfigureAwait(false);
                if (rule is null)
                {
                    return Results.BadRequest(new { error = "The body must be a fault rule." });
                }
                var added = graph.Faults.Add(rule);
                return Results.Created($"/_dev/faults/{added.Id}", added);
            }
            catch (Exception e) when (e is JsonException or ArgumentException)
            {
                return Results.BadRequest(new { error = e.Message });
            }
        });
        dev.MapDelete("/faults", () =>
        {
            graph.Faults.Clear();
            return Results.NoContent();
        });
        dev.MapDelete("/faults/{id}", (string id) => graph.Faults.Remove(id) ? Results.NoContent() : Results.NotFound());
        dev.MapGet("/requests", () => Results.Json(new
        {
            roundTrips = graph.RequestLog.RoundTrips,
            batchItems = graph.RequestLog.BatchItems,
            entries = graph.RequestLog.Entries,
        }));
        dev.MapDelete("/requests", () =>
        {
            graph.RequestLog.Clear();
            return Results.NoContent();
        });
        dev.MapPost("/reset", () =>
        {
            graph.State.Reset();
            return Results.NoContent();
        });
        dev.MapGet("/tenant", () => Results.Json(new
        {
            id = graph.State.TenantId,
            displayName = graph.State.TenantDisplayName,
            domain = graph.State.Domain,
            users = graph.State.Users.Select(u => new { u.Id, u.UserPrincipalName, u.DisplayName, u.UserType, u.AccountEnabled }),
            groups = graph.State.Groups.Select(g => new { g.Id, g.DisplayName, g.MemberIds }),
        }));
        DevSettings.Map(dev, graph);
        DevTeamsApp.Map(dev, graph);
        DevMethods.Map(dev, graph);
        DevConditionalAccess.Map(dev, graph);
        return endpoints;
    }
}

internal static class DevJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    /// <summary>The request body as a JSON object, or null when it is missing or not an object.</summary>
    public static async Task<JsonObject?> ReadObjectAsync(HttpContext context)
    {
        try
        {
            return await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The developer API's 400 answer.</summary>
    public static IResult Error(string message, int status = StatusCodes.Status400BadRequest) =>
        Results.Json(new { error = message }, statusCode: status);
}
