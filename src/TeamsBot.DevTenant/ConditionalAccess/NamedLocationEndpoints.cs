using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using TeamsBot.DevTenant.Http;
using TeamsBot.DevTenant.Tenant;

namespace TeamsBot.DevTenant.ConditionalAccess;

/// <summary>/identity/conditionalAccess/namedLocations: IP and country locations.</summary>
internal sealed class NamedLocationEndpoints(TenantState state)
{
    private const string Root = "/identity/conditionalAccess/namedLocations";
    private const string IpType = "#microsoft.graph.ipNamedLocation";
    private const string CountryType = "#microsoft.graph.countryNamedLocation";

    public void Map(GraphRouter router)
    {
        router.Map("GET", Root, List);
        router.Map("POST", Root, Create);
        router.Map("GET", Root + "/{id}", Get);
        router.Map("PATCH", Root + "/{id}", Patch);
        router.Map("DELETE", Root + "/{id}", Delete);
    }

    private GraphResponse List(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        lock (state.Sync)
        {
            var items = state.NamedLocationsUnlocked.Select(l => (JsonObject)l.DeepClone()).ToList();
            return ODataQuery.Page(request, "identity/conditionalAccess/namedLocations", items);
        }
    }

    private GraphResponse Get(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        lock (state.Sync)
        {
            return Find(route["id"]) is { } location
                ? GraphResponse.Ok(PolicyEndpoints.WithContext((JsonObject)location.DeepClone(), request.MetadataUrl("identity/conditionalAccess/namedLocations/$entity")))
                : NotFound(route["id"]);
        }
    }

    private GraphResponse Create(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        if (request.BodyObject() is not { } body)
        {
            return GraphResponse.BadRequest("Invalid request body.");
        }
        foreach (var name in new[] { "id", "createdDateTime", "modifiedDateTime" })
        {
            body.Remove(name);
        }
        if (Validate(body) is { } error)
        {
            return GraphResponse.BadRequest(error);
        }
        lock (state.Sync)
        {
            var now = SeedLoader.Format(state.Now);
            var stored = new JsonObject
            {
                ["@odata.type"] = (string?)body["@odata.type"],
                ["id"] = Guid.NewGuid().ToString(),
                ["displayName"] = (string?)body["displayName"],
                ["createdDateTime"] = now,
                ["modifiedDateTime"] = now,
            };
            if ((string?)body["@odata.type"] == IpType)
            {
                stored["isTrusted"] = (bool?)body["isTrusted"] ?? false;
                stored["ipRanges"] = body["ipRanges"]!.DeepClone();
            }
            else
            {
                stored["countriesAndRegions"] = body["countriesAndRegions"]!.DeepClone();
                stored["includeUnknownCountriesAndRegions"] = (bool?)body["includeUnknownCountriesAndRegions"] ?? false;
                stored["countryLookupMethod"] = (string?)body["countryLookupMethod"] ?? "clientIpAddress";
            }
            state.NamedLocationsUnlocked.Add(stored);
            return GraphResponse.Created(PolicyEndpoints.WithContext((JsonObject)stored.DeepClone(),
                request.MetadataUrl("identity/conditionalAccess/namedLocations/$entity")));
        }
    }

    private GraphResponse Patch(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        if (request.BodyObject() is not { } body)
        {
            return GraphResponse.BadRequest("Invalid request body.");
        }
        lock (state.Sync)
        {
            if (Find(route["id"]) is not { } stored)
            {
                return NotFound(route["id"]);
            }
            // The type of a location cannot change; the body must name it.
            if (!string.Equals((string?)body["@odata.type"], (string?)stored["@odata.type"], StringComparison.Ordinal))
            {
                return GraphResponse.BadRequest($"@odata.type is required and must be '{(string?)stored["@odata.type"]}'.");
            }
            var merged = (JsonObject)stored.DeepClone();
            foreach (var (name, value) in body)
            {
                if (name is not ("id" or "createdDateTime" or "modifiedDateTime"))
                {
                    merged[name] = value?.DeepClone();
                }
            }
            if (Validate(merged) is { } error)
            {
                return GraphResponse.BadRequest(error);
            }
            merged["modifiedDateTime"] = SeedLoader.Format(state.Now);
            state.NamedLocationsUnlocked[state.NamedLocationsUnlocked.IndexOf(stored)] = merged;
            return GraphResponse.NoContent();
        }
    }

    private GraphResponse Delete(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        lock (state.Sync)
        {
            if (Find(route["id"]) is not { } stored)
            {
                return NotFound(route["id"]);
            }
            var used = state.PoliciesUnlocked.FirstOrDefault(p =>
                PolicyDocument.Strings(p["conditions"]?["locations"]?["includeLocations"])
                    .Concat(PolicyDocument.Strings(p["conditions"]?["locations"]?["excludeLocations"]))
                    .Contains(route["id"], StringComparer.OrdinalIgnoreCase));
            if (used is not null)
            {
                return GraphResponse.BadRequest($"The named location is used by the policy '{(string?)used["displayName"]}' and cannot be deleted.");
            }
            state.NamedLocationsUnlocked.Remove(stored);
            return GraphResponse.NoContent();
        }
    }

    private static string? Validate(JsonObject body)
    {
        var type = (string?)(body["@odata.type"] as JsonValue);
        if (type is not (IpType or CountryType))
        {
            return $"@odata.type is required: '{IpType}' or '{CountryType}'.";
        }
        string[] known = type == IpType
            ? ["@odata.type", "id", "displayName", "createdDateTime", "modifiedDateTime", "isTrusted", "ipRanges"]
            : ["@odata.type", "id", "displayName", "createdDateTime", "modifiedDateTime", "countriesAndRegions", "countryLookupMethod",
               "includeUnknownCountriesAndRegions"];
        if (body.Select(p => p.Key).FirstOrDefault(k => !known.Contains(k, StringComparer.Ordinal)) is { } unknown)
        {
            return $"The property '{unknown}' does not exist on type '{type[1..]}'.";
        }
        if (body["displayName"] is not JsonValue name || name.GetValueKind() != JsonValueKind.String || string.IsNullOrWhiteSpace((string?)name))
        {
            return "displayName is required.";
        }
        if (type == IpType)
        {
            if (body["isTrusted"] is { } trusted && trusted.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                return "isTrusted must be a boolean.";
            }
            if (body["ipRanges"] is not JsonArray { Count: > 0 } ranges)
            {
                return "ipRanges is required and cannot be empty.";
            }
            foreach (var range in ranges)
            {
                if (CidrError(range as JsonObject) is { } error)
                {
                    return error;
                }
            }
        }
        else
        {
            if (body["countriesAndRegions"] is not JsonArray { Count: > 0 } countries
                || countries.Any(c => c?.GetValueKind() != JsonValueKind.String || ((string)c!).Length != 2))
            {
                return "countriesAndRegions is required: two-letter ISO 3166 codes.";
            }
            if ((string?)body["countryLookupMethod"] is { } method && method is not ("clientIpAddress" or "authenticatorAppGps"))
            {
                return $"'{method}' is not a valid countryLookupMethod.";
            }
        }
        return null;
    }

    private static string? CidrError(JsonObject? range)
    {
        var type = (string?)range?["@odata.type"];
        var cidr = (string?)range?["cidrAddress"];
        if (type is not ("#microsoft.graph.iPv4CidrRange" or "#microsoft.graph.iPv6CidrRange") || cidr is null)
        {
            return "Every ipRanges item needs @odata.type (#microsoft.graph.iPv4CidrRange or #microsoft.graph.iPv6CidrRange) and cidrAddress.";
        }
        if (CidrRange.Parse(cidr) is not { } network)
        {
            return $"'{cidr}' is not a valid CIDR range.";
        }
        var wantV6 = type == "#microsoft.graph.iPv6CidrRange";
        if ((network.Family == AddressFamily.InterNetworkV6) != wantV6)
        {
            return $"'{cidr}' does not match {type}.";
        }
        return null;
    }

    private JsonObject? Find(string id) =>
        state.NamedLocationsUnlocked.FirstOrDefault(l => string.Equals((string?)l["id"], id, StringComparison.OrdinalIgnoreCase));

    private static GraphResponse NotFound(string id) =>
        GraphResponse.Error(404, "ResourceNotFound", $"The named location '{id}' does not exist.");
}
