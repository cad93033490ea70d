using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TeamsBot.DevTenant.AuthMethods;
using TeamsBot.DevTenant.Tenant;

namespace TeamsBot.DevTenant.Dev;

/// <summary>
/// POST /_dev/users/{user}/authenticationMethods {"type":"microsoftAuthenticator"|"fido2","displayName":"…","createdDateTime":"…"}:
/// registers a method Graph can't create, as the user would; 201 with the method as Graph lists it.
/// </summary>
internal static class DevMethods
{
    public static void Map(RouteGroupBuilder dev, SimulatedGraph graph)
    {
        dev.MapPost("/users/{user}/authenticationMethods", async (string user, HttpContext context) =>
        {
            if (await DevJson.ReadObjectAsync(context).ConfigureAwait(false) is not { } body
                || body["type"]?.GetValueKind() != JsonValueKind.String)
            {
                return DevJson.Error($"The body needs a type: {string.Join(" or ", TenantState.UserRegisteredMethodTypes)}.");
            }
            var type = (string)body["type"]!;
            if (!TenantState.UserRegisteredMethodTypes.Contains(type))
            {
                return DevJson.Error($"'{type}' can't be added here; use {string.Join(" or ", TenantState.UserRegisteredMethodTypes)} (phones go through Graph).");
            }
            DateTimeOffset? created = null;
            if ((string?)body["createdDateTime"] is { } text)
            {
                if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                {
                    return DevJson.Error($"'{text}' is not a date-time.");
                }
                created = parsed;
            }
            if (graph.State.FindUser(user) is null)
            {
                return DevJson.Error($"No user '{user}'.", StatusCodes.Status404NotFound);
            }
            var method = graph.State.AddAuthenticationMethod(user, type, (string?)body["displayName"], created);
            return Results.Json(MethodJson.Method(method), statusCode: StatusCodes.Status201Created);
        });
    }
}
