using System.Text.Json;
using System.Text.Json.Nodes;
using TeamsBot.DevTenant.Http;
using TeamsBot.DevTenant.Tenant;

namespace TeamsBot.DevTenant.ConditionalAccess;

/// <summary>
/// Authentication strength policies at /policies/authenticationStrengthPolicies (and the SDK's other path,
/// /identity/conditionalAccess/authenticationStrength/policies): list, get, create, update, delete, updateAllowedCombinations
/// and usage. Built-in strengths can't be changed or deleted; a custom one a Conditional Access policy uses can't be deleted.
/// </summary>
internal sealed class AuthenticationStrengthEndpoints(TenantState state)
{
    private const string TypeName = "microsoft.graph.authenticationStrengthPolicy";

    private static readonly string[] Properties =
        ["id", "createdDateTime", "modifiedDateTime", "displayName", "description", "policyType", "requirementsSatisfied", "allowedCombinations"];

    // displayName and policyType support $filter (eq, ne, not, in).
    private static readonly FilterSchema Filter = new(new Dictionary<string, FilterProperty>
    {
        ["displayName"] = new(FilterKind.String, "eq", "ne", "in"),
        ["policyType"] = new(FilterKind.String, "eq", "ne", "in"),
    });

    public void Map(GraphRouter router)
    {
        foreach (var root in new[] { "/policies/authenticationStrengthPolicies", "/identity/conditionalAccess/authenticationStrength/policies" })
        {
            router.Map("GET", root, List);
            router.Map("POST", root, Create);
            router.Map("GET", root + "/{id}", Get);
            router.Map("PATCH", root + "/{id}", Patch);
            router.Map("DELETE", root + "/{id}", Delete);
            router.Map("POST", root + "/{id}/updateAllowedCombinations", UpdateAllowedCombinations);
            router.Map("GET", root + "/{id}/usage()", Usage);
        }
    }

    // https://learn.microsoft.com/graph/api/authenticationstrengthroot-list-policies
    private GraphResponse List(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        var selected = ODataQuery.Select(request);
        if (ODataQuery.CheckSelect(selected, TypeName, Properties) is { } badSelect)
        {
            return badSelect;
        }
        var (filter, badFilter) = ODataFilter.FromRequest(request, Filter);
        if (badFilter is not null)
        {
            return badFilter;
        }
        lock (state.Sync)
        {
            var items = state.StrengthsUnlocked().Select(PolicyDocument.StrengthJson).Where(filter)
                .Select(s => ODataQuery.Project(s, selected, Properties)).ToList();
            return ODataQuery.Page(request, "policies/authenticationStrengthPolicies", items);
        }
    }

    // https://learn.microsoft.com/graph/api/authenticationstrengthpolicy-get
    private GraphResponse Get(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        var selected = ODataQuery.Select(request);
        if (ODataQuery.CheckSelect(selected, TypeName, Properties) is { } badSelect)
        {
            return badSelect;
        }
        lock (state.Sync)
        {
            return state.FindStrengthUnlocked(route["id"]) is { } strength
                ? GraphResponse.Ok(ODataQuery.Entity(ODataQuery.Project(PolicyDocument.StrengthJson(strength), selected, Properties),
                    request.MetadataUrl("policies/authenticationStrengthPolicies/$entity")))
                : NotFound(route["id"]);
        }
    }

    /// <summary>
    /// POST (https://learn.microsoft.com/graph/api/authenticationstrengthroot-post-policies): displayName and
    /// allowedCombinations required, description optional; 201 with a custom policy.
    /// </summary>
    private GraphResponse Create(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        if (request.BodyObject() is not { } body)
        {
            return GraphResponse.BadRequest("Invalid request body.");
        }
        if (Unknown(body, "displayName", "description", "allowedCombinations") is { } refused)
        {
            return refused;
        }
        if (Text(body, "displayName") is not { Length: > 0 } displayName)
        {
            return GraphResponse.BadRequest("displayName is required.");
        }
        var (combinations, error) = ReadCombinations(body);
        if (error is not null)
        {
            return error;
        }
        lock (state.Sync)
        {
            if (state.CustomStrengthsUnlocked.Count >= AuthenticationStrengths.MaxCustom)
            {
                return GraphResponse.BadRequest($"A tenant can have at most {AuthenticationStrengths.MaxCustom} custom authentication strengths.");
            }
            if (state.StrengthsUnlocked().Any(s => string.Equals(s.DisplayName, displayName, StringComparison.OrdinalIgnoreCase)))
            {
                return GraphResponse.BadRequest($"An authentication strength named '{displayName}' already exists.");
            }
            var now = TrimToSeconds(state.Now);
            var strength = new SimAuthStrength(Guid.NewGuid().ToString(), displayName, Text(body, "description"), "custom", combinations!, now, now);
            state.CustomStrengthsUnlocked.Add(strength);
            var answer = PolicyDocument.StrengthJson(strength);
            answer["combinationConfigurations"] = new JsonArray();
            return GraphResponse.Created(ODataQuery.Entity(answer, request.MetadataUrl("policies/authenticationStrengthPolicies/$entity")));
        }
    }

    /// <summary>
    /// PATCH (https://learn.microsoft.com/graph/api/authenticationstrengthpolicy-update): displayName and description of a
    /// custom strength; allowedCombinations only through updateAllowedCombinations; 204.
    /// </summary>
    private GraphResponse Patch(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        if (request.BodyObject() is not { } body)
        {
            return GraphResponse.BadRequest("Invalid request body.");
        }
        if (body.ContainsKey("allowedCombinations"))
        {
            return GraphResponse.BadRequest("allowedCombinations can't be updated with PATCH; use the updateAllowedCombinations action.");
        }
        if (Unknown(body, "displayName", "description") is { } refused)
        {
            return refused;
        }
        lock (state.Sync)
        {
            var (strength, error) = FindCustom(route["id"], "updated");
            if (strength is null)
            {
                return error!;
            }
            var displayName = body.ContainsKey("displayName") ? Text(body, "displayName") : strength.DisplayName;
            if (string.IsNullOrWhiteSpace(displayName))
            {
                return GraphResponse.BadRequest("displayName can't be empty.");
            }
            if (state.StrengthsUnlocked().Any(s => s.Id != strength.Id && string.Equals(s.DisplayName, displayName, StringComparison.OrdinalIgnoreCase)))
            {
                return GraphResponse.BadRequest($"An authentication strength named '{displayName}' already exists.");
            }
            Replace(strength, strength with
            {
                DisplayName = displayName,
                Description = body.ContainsKey("description") ? Text(body, "description") : strength.Description,
                ModifiedDateTime = TrimToSeconds(state.Now),
            });
            return GraphResponse.NoContent();
        }
    }

    // https://learn.microsoft.com/graph/api/authenticationstrengthroot-delete-policies
    private GraphResponse Delete(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        lock (state.Sync)
        {
            var (strength, error) = FindCustom(route["id"], "deleted");
            if (strength is null)
            {
                return error!;
            }
            if (state.PoliciesUsingStrengthUnlocked(strength.Id) is { Count: > 0 } users)
            {
                return GraphResponse.BadRequest(
                    $"The authentication strength is used by Conditional Access policies ({string.Join(", ", users.Select(p => (string?)p["id"]))}) and can't be deleted.");
            }
            state.CustomStrengthsUnlocked.Remove(strength);
            return GraphResponse.NoContent();
        }
    }

    /// <summary>
    /// POST updateAllowedCombinations (https://learn.microsoft.com/graph/api/authenticationstrengthpolicy-updateallowedcombinations):
    /// 200 with previous and current combinations and the Conditional Access policies that use the strength.
    /// </summary>
    private GraphResponse UpdateAllowedCombinations(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        if (request.BodyObject() is not { } body)
        {
            return GraphResponse.BadRequest("Invalid request body.");
        }
        if (Unknown(body, "allowedCombinations") is { } refused)
        {
            return refused;
        }
        var (combinations, error) = ReadCombinations(body);
        if (error is not null)
        {
            return error;
        }
        lock (state.Sync)
        {
            var (strength, notFound) = FindCustom(route["id"], "updated");
            if (strength is null)
            {
                return notFound!;
            }
            var references = state.PoliciesUsingStrengthUnlocked(strength.Id).Select(p => (string?)p["id"]).OfType<string>().ToList();
            var wasMfa = AuthenticationStrengths.RequirementsSatisfied(strength.AllowedCombinations) == "mfa";
            if (references.Count > 0 && wasMfa && AuthenticationStrengths.RequirementsSatisfied(combinations!) != "mfa")
            {
                // The usage() docs: policies that require an MFA claim restrict the changes to the strength they use.
                return GraphResponse.BadRequest(
                    "The authentication strength is used by Conditional Access policies that require MFA; its combinations must all be multifactor.");
            }
            Replace(strength, strength with { AllowedCombinations = combinations!, ModifiedDateTime = TrimToSeconds(state.Now) });
            return GraphResponse.Ok(new JsonObject
            {
                ["@odata.context"] = request.MetadataUrl("microsoft.graph.updateAllowedCombinationsResult"),
                ["additionalInformation"] = references.Count > 0
                    ? "This authentication strength is referenced by one or more Conditional Access policies. Review conditionalAccessReferences to understand which Conditional Access policies were impacted by this change."
                    : null,
                ["conditionalAccessReferences"] = new JsonArray(references.Select(r => (JsonNode)JsonValue.Create(r)).ToArray()),
                ["currentCombinations"] = Array(combinations!),
                ["previousCombinations"] = Array(strength.AllowedCombinations),
            });
        }
    }

    // https://learn.microsoft.com/graph/api/authenticationstrengthpolicy-usage: the policies that use the strength,
    // split by whether they require an MFA claim.
    private GraphResponse Usage(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        lock (state.Sync)
        {
            if (state.FindStrengthUnlocked(route["id"]) is not { } strength)
            {
                return NotFound(route["id"]);
            }
            var users = state.PoliciesUsingStrengthUnlocked(strength.Id).Select(p => (JsonNode)state.PresentPolicyUnlocked(p, request.ServiceRoot)).ToArray();
            var mfa = AuthenticationStrengths.RequirementsSatisfied(strength.AllowedCombinations) == "mfa";
            return GraphResponse.Ok(new JsonObject
            {
                ["@odata.context"] = request.MetadataUrl("microsoft.graph.authenticationStrengthUsage"),
                ["mfa"] = mfa ? new JsonArray(users) : new JsonArray(),
                ["none"] = mfa ? new JsonArray() : new JsonArray(users),
            });
        }
    }

    /// <summary>A custom strength by id; a built-in one can't be <paramref name="verb"/> (400), an unknown one is 404.</summary>
    private (SimAuthStrength? Strength, GraphResponse? Error) FindCustom(string id, string verb)
    {
        if (AuthenticationStrengths.IsBuiltIn(id))
        {
            return (null, GraphResponse.BadRequest($"Built-in authentication strengths can't be {verb}."));
        }
        var strength = state.CustomStrengthsUnlocked.FirstOrDefault(s => string.Equals(s.Id, id, StringComparison.OrdinalIgnoreCase));
        return strength is null ? (null, NotFound(id)) : (strength, null);
    }

    private void Replace(SimAuthStrength old, SimAuthStrength updated)
    {
        var list = state.CustomStrengthsUnlocked;
        list[list.IndexOf(old)] = updated;
    }

    /// <summary>allowedCombinations: required, non-empty, each one of the documented combinations (spaces after commas allowed), no repeats.</summary>
    private static (List<string>? Combinations, GraphResponse? Error) ReadCombinations(JsonObject body)
    {
        if (body["allowedCombinations"] is not JsonArray array || array.Count == 0
            || array.Any(c => c is not JsonValue v || v.GetValueKind() != JsonValueKind.String))
        {
            return (null, GraphResponse.BadRequest("allowedCombinations is required: a non-empty list of authentication method combinations."));
        }
        var combinations = array.Select(c => AuthenticationStrengths.Normalize((string)c!)).ToList();
        if (combinations.FirstOrDefault(c => !AuthenticationStrengths.Combinations.Contains(c, StringComparer.Ordinal)) is { } unsupported)
        {
            return (null, GraphResponse.BadRequest(
                $"'{unsupported}' is not a supported authentication method combination (see identity/conditionalAccess/authenticationStrength/combinations)."));
        }
        if (combinations.Distinct(StringComparer.Ordinal).Count() != combinations.Count)
        {
            return (null, GraphResponse.BadRequest("allowedCombinations lists a combination more than once."));
        }
        return (combinations, null);
    }

    private static GraphResponse? Unknown(JsonObject body, params string[] allowed) =>
        body.Select(p => p.Key).FirstOrDefault(k => k != "@odata.type" && !allowed.Contains(k, StringComparer.Ordinal)) is { } unknown
            ? GraphResponse.BadRequest($"The property '{unknown}' can't be set on type '{TypeName}' here.")
            : null;

    private static string? Text(JsonObject body, string name) =>
        body[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? (string?)value : null;

    private static JsonArray Array(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    private static GraphResponse NotFound(string id) =>
        GraphResponse.Error(404, "ResourceNotFound", $"The authentication strength policy '{id}' does not exist.");

    private static DateTimeOffset TrimToSeconds(DateTimeOffset value) => new(value.Ticks - (value.Ticks % TimeSpan.TicksPerSecond), value.Offset);
}
