using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TeamsBot.DevTenant.Tenant;

namespace TeamsBot.DevTenant.Dev;

/// <summary>
/// GET /_dev/settings and POST /_dev/settings: the tenant's run-time switches. POST takes any subset, e.g.
/// {"dropConditionalAccessDescription":true}, and answers the settings after the change.
/// </summary>
internal static class DevSettings
{
    private static readonly Dictionary<string, (Func<TenantState, bool> Get, Action<TenantState, bool> Set)> Switches = new(StringComparer.Ordinal)
    {
        ["dropConditionalAccessDescription"] = (s => s.DropConditionalAccessDescription, (s, v) => s.DropConditionalAccessDescription = v),
        ["signInLogsLicensed"] = (s => s.SignInLogsLicensed, (s, v) => s.SignInLogsLicensed = v),
        ["directoryRoleDetailsVisible"] = (s => s.DirectoryRoleDetailsVisible, (s, v) => s.DirectoryRoleDetailsVisible = v),
    };

    public static void Map(RouteGroupBuilder dev, SimulatedGraph graph)
    {
        dev.MapGet("/settings", () => Results.Json(Read(graph.State)));
        dev.MapPost("/settings", async (HttpContext context) =>
        {
            if (await DevJson.ReadObjectAsync(context).ConfigureAwait(false) is not { } body)
            {
                return DevJson.Error("The body must be a JSON object of settings.");
            }
            foreach (var (name, value) in body)
            {
                if (!Switches.ContainsKey(name))
                {
                    return DevJson.Error($"Unknown setting '{name}'. Known: {string.Join(", ", Switches.Keys)}.");
                }
                if (value?.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                {
                    return DevJson.Error($"Setting '{name}' must be true or false.");
                }
            }
            foreach (var (name, value) in body)
            {
                Switches[name].Set(graph.State, value!.GetValue<bool>());
            }
            return Results.Json(Read(graph.State));
        });
    }

    private static JsonObject Read(TenantState state)
    {
        var result = new JsonObject();
        foreach (var (name, (get, _)) in Switches)
        {
            result[name] = get(state);
        }
        return result;
    }
}
