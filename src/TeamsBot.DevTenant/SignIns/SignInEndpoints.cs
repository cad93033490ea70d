using System.Globalization;
using System.Text.Json.Nodes;
using TeamsBot.DevTenant.Http;
using TeamsBot.DevTenant.Tenant;

namespace TeamsBot.DevTenant.SignIns;

/// <summary>/auditLogs/signIns, newest first, with $filter, $top and paging.</summary>
internal sealed class SignInEndpoints(TenantState state)
{
    private const string IncludeUnknownEnumMembers = "include-unknown-enum-members";

    private static readonly string[] Comparisons = ["eq", "ne", "ge", "gt", "le", "lt"];

    /// <summary>
    /// The $filter subset the sign-in log answers (https://learn.microsoft.com/graph/api/signin-list, "Optional query
    /// parameters"; https://learn.microsoft.com/graph/api/resources/signin for the filterable properties): comparisons on
    /// createdDateTime and status/errorCode; eq/ne on the ids, names and addresses (no startswith: the simulator refuses
    /// what the bot never needs rather than guess at what the service allows);
    /// appliedConditionalAccessPolicies/any(p:p/id eq '...' and p/result eq '...'); and/or/not and parentheses.
    /// </summary>
    private static readonly FilterSchema Filter = new(
        new Dictionary<string, FilterProperty>(StringComparer.Ordinal)
        {
            ["createdDateTime"] = new(FilterKind.DateTime, Comparisons),
            ["status/errorCode"] = new(FilterKind.Number, Comparisons),
            ["userId"] = new(FilterKind.String, "eq", "ne"),
            ["userPrincipalName"] = new(FilterKind.String, "eq", "ne"),
            ["appId"] = new(FilterKind.String, "eq", "ne"),
            ["appDisplayName"] = new(FilterKind.String, "eq", "ne"),
            ["ipAddress"] = new(FilterKind.String, "eq", "ne"),
            ["conditionalAccessStatus"] = new(FilterKind.String, "eq", "ne"),
            ["id"] = new(FilterKind.String, "eq", "ne"),
        },
        new Dictionary<string, FilterSchema>(StringComparer.Ordinal)
        {
            ["appliedConditionalAccessPolicies"] = new(new Dictionary<string, FilterProperty>(StringComparer.Ordinal)
            {
                ["id"] = new(FilterKind.String, "eq", "ne"),
                ["displayName"] = new(FilterKind.String, "eq", "ne"),
                ["result"] = new(FilterKind.String, "eq", "ne"),
            }),
        });

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
        var (predicate, badFilter) = ODataFilter.FromRequest(request, Filter, "Request_UnsupportedQuery");
        if (badFilter is not null)
        {
            return badFilter;
        }
        lock (state.Sync)
        {
            // Filtered as the caller sees them: a reportOnly* result hidden as unknownFutureValue matches only that.
            var items = state.SignInsUnlocked
                .Select(s => Present(s, map))
                .Where(predicate)
                .OrderByDescending(s => DateTimeOffset.Parse((string)s["createdDateTime"]!, CultureInfo.InvariantCulture))
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
