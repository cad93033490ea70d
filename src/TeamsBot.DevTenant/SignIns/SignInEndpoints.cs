using System.Globalization;
using System.Text.Json.Nodes;
using TeamsBot.DevTenant.Http;
using TeamsBot.DevTenant.Tenant;

namespace TeamsBot.DevTenant.SignIns;

/// <summary>/auditLogs/signIns, newest first, with $filter, $top and paging.</summary>
internal sealed class SignInEndpoints(TenantState state)
{
    private const string IncludeUnknownEnumMembers = "include-unknown-enum-members";

    public void Map(GraphRouter router)
    {
        router.Map("GET", "/auditLogs/signIns", List);
        router.Map("GET", "/auditLogs/signIns/{id}", Get);
    }

    private GraphResponse List(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        if (!state.SignInLogsLicensed)
        {
            return Unlicensed();
        }
        var map = ResultMapper(request);
        Func<JsonObject, Func<string?, string?>, bool> predicate = (_, _) => true;
        if (request.QueryValue("$filter") is { Length: > 0 } filter)
        {
            try
            {
                predicate = SignInFilter.Parse(filter);
            }
            catch (FormatException e)
            {
                return GraphResponse.BadRequest($"Invalid filter clause: {e.Message}.", "Request_UnsupportedQuery");
            }
        }
        lock (state.Sync)
        {
            var items = state.SignInsUnlocked
                .Where(s => predicate(s, map))
                .OrderByDescending(s => DateTimeOffset.Parse((string)s["createdDateTime"]!, CultureInfo.InvariantCulture))
                .Select(s => Present(s, map))
                .ToList();
            return Prefer(ODataQuery.Page(request, "auditLogs/signIns", items, defaultPageSize: 1000, maxTop: 1000), request);
        }
    }

    private GraphResponse Get(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        if (!state.SignInLogsLicensed)
        {
            return Unlicensed();
        }
        lock (state.Sync)
        {
            var signIn = state.SignInsUnlocked.FirstOrDefault(s => string.Equals((string?)s["id"], route["id"], StringComparison.OrdinalIgnoreCase));
            return signIn is null
                ? GraphResponse.NotFound(route["id"])
                : Prefer(GraphResponse.Ok(Present(signIn, ResultMapper(request))), request);
        }
    }

    /// <summary>Without the Prefer header Graph hides the evolvable reportOnly* results behind unknownFutureValue.</summary>
    private static Func<string?, string?> ResultMapper(GraphRequest request) =>
        WantsUnknownEnumMembers(request)
            ? result => result
            : result => result is not null && result.StartsWith("reportOnly", StringComparison.Ordinal) ? "unknownFutureValue" : result;

    private static bool WantsUnknownEnumMembers(GraphRequest request) =>
        request.Header("Prefer")?.Contains(IncludeUnknownEnumMembers, StringComparison.OrdinalIgnoreCase) == true;

    private static GraphResponse Prefer(GraphResponse response, GraphRequest request) =>
        response.Status == 200 && WantsUnknownEnumMembers(request) ? response.WithHeader("Preference-Applied", IncludeUnknownEnumMembers) : response;

    private static JsonObject Present(JsonObject signIn, Func<string?, string?> map)
    {
        var copy = (JsonObject)signIn.DeepClone();
        foreach (var policy in (copy["appliedConditionalAccessPolicies"] as JsonArray ?? []).OfType<JsonObject>())
        {
            policy["result"] = map((string?)policy["result"]);
        }
        return copy;
    }

    private static GraphResponse Unlicensed() => GraphResponse.Error(403, "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
        "Neither tenant is B2C or tenant doesn't have premium license");
}
