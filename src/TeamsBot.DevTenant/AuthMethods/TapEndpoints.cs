using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using TeamsBot.DevTenant.Http;
using TeamsBot.DevTenant.Tenant;

namespace TeamsBot.DevTenant.AuthMethods;

/// <summary>A user's authentication methods, Temporary Access Pass methods and the TAP method policy.</summary>
internal sealed class TapEndpoints(TenantState state)
{
    private const string TapType = "#microsoft.graph.temporaryAccessPassAuthenticationMethod";
    private const string PolicyPath = "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass";

    // Letters and digits without look-alikes, plus a few symbols, like the passes Entra hands out.
    private const string PassAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!@#$%&*+=?";

    public void Map(GraphRouter router)
    {
        router.Map("GET", "/users/{id}/authentication/methods", ListMethods);
        router.Map("GET", "/users/{id}/authentication/methods/{methodId}", GetMethod);
        router.Map("POST", "/users/{id}/authentication/temporaryAccessPassMethods", CreateTap);
        router.Map("GET", "/users/{id}/authentication/temporaryAccessPassMethods", ListTaps);
        router.Map("GET", "/users/{id}/authentication/temporaryAccessPassMethods/{tapId}", GetTap);
        router.Map("DELETE", "/users/{id}/authentication/temporaryAccessPassMethods/{tapId}", DeleteTap);
        router.Map("GET", PolicyPath, GetPolicy);
        router.Map("PATCH", PolicyPath, PatchPolicy);
    }

    private GraphResponse ListMethods(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        lock (state.Sync)
        {
            if (state.FindUserUnlocked(route["id"]) is not { } user)
            {
                return GraphResponse.NotFound(route["id"]);
            }
            return ODataQuery.Page(request, $"users('{user.Id}')/authentication/methods", Methods(user));
        }
    }

    private GraphResponse GetMethod(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        lock (state.Sync)
        {
            if (state.FindUserUnlocked(route["id"]) is not { } user)
            {
                return GraphResponse.NotFound(route["id"]);
            }
            var method = Methods(user).FirstOrDefault(m => string.Equals((string?)m["id"], route["methodId"], StringComparison.OrdinalIgnoreCase));
            return method is null ? GraphResponse.NotFound(route["methodId"]) : GraphResponse.Ok(method);
        }
    }

    private List<JsonObject> Methods(SimUser user)
    {
        var methods = user.Methods.Select(MethodJson.Method).ToList();
        if (state.GetTap(user.Id) is { } tap)
        {
            methods.Add(TapJson(user, tap, pass: null));
        }
        return methods;
    }

    private GraphResponse CreateTap(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        var body = string.IsNullOrWhiteSpace(request.BodyText) ? new JsonObject() : request.BodyObject();
        if (body is null)
        {
            return GraphResponse.BadRequest("Invalid request body.", "badRequest");
        }
        string[] known = ["@odata.type", "startDateTime", "lifetimeInMinutes", "isUsableOnce"];
        if (body.Select(p => p.Key).FirstOrDefault(k => !known.Contains(k, StringComparer.Ordinal)) is { } unknown)
        {
            return GraphResponse.BadRequest(
                $"The property '{unknown}' does not exist on type 'microsoft.graph.temporaryAccessPassAuthenticationMethod'.", "badRequest");
        }
        DateTimeOffset? start;
        int? lifetime;
        bool? usableOnce;
        try
        {
            start = body["startDateTime"] is { } s
                ? DateTimeOffset.Parse(s.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
                : null;
            lifetime = body["lifetimeInMinutes"]?.GetValue<int>();
            usableOnce = body["isUsableOnce"]?.GetValue<bool>();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException)
        {
            return GraphResponse.BadRequest("Invalid request body: a property has the wrong type.", "badRequest");
        }

        lock (state.Sync)
        {
            if (state.FindUserUnlocked(route["id"]) is not { } user)
            {
                return GraphResponse.NotFound(route["id"]);
            }
            if (user.IsGuest && user.IsExternal)
            {
                return GraphResponse.BadRequest("Temporary Access Pass cannot be added to an external guest user.", "badRequest");
            }
            var policy = state.TapPolicy;
            if (!policy.Enabled || !InScope(policy, user))
            {
                // Entra refuses creation for users outside the policy even though the docs say otherwise (graph-entra.md §1).
                return GraphResponse.BadRequest(
                    "Converged UserCredentialPolicy does not allow creating or updating this authentication method. AuthMethodType [TemporaryAccessPass].",
                    "badRequest");
            }
            var minutes = lifetime ?? policy.DefaultLifetimeInMinutes;
            if (minutes < policy.MinimumLifetimeInMinutes || minutes > policy.MaximumLifetimeInMinutes)
            {
                return GraphResponse.BadRequest(
                    $"Invalid LifetimeInMinutes specified. The valid range between {policy.MinimumLifetimeInMinutes} and {policy.MaximumLifetimeInMinutes}.",
                    "badRequest");
            }
            var once = usableOnce ?? policy.IsUsableOnce;
            if (!once && policy.IsUsableOnce)
            {
                return GraphResponse.BadRequest(
                    "The Temporary Access Pass policy only allows one-time passes: isUsableOnce must be true.", "badRequest");
            }
            var now = state.Now;
            // Graph keeps second precision; trimming keeps the echo of startDateTime equal to what was sent.
            var created = TrimToSeconds(now);
            var tap = new SimTap(Guid.NewGuid().ToString(), created, TrimToSeconds(start ?? now), minutes, once);
            state.SetTapUnlocked(user.Id, tap); // one pass per user: a new one replaces the old
            var pass = RandomNumberGenerator.GetString(PassAlphabet, policy.DefaultLength);
            var json = TapJson(user, tap, pass);
            var answer = new JsonObject { ["@odata.context"] = request.MetadataUrl($"users('{user.Id}')/authentication/temporaryAccessPassMethods/$entity") };
            foreach (var (name, value) in json.ToList())
            {
                json.Remove(name);
                answer[name] = value;
            }
            return GraphResponse.Created(answer);
        }
    }

    private GraphResponse ListTaps(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        lock (state.Sync)
        {
            if (state.FindUserUnlocked(route["id"]) is not { } user)
            {
                return GraphResponse.NotFound(route["id"]);
            }
            var items = state.GetTap(user.Id) is { } tap ? new List<JsonObject> { TapJson(user, tap, null) } : [];
            return ODataQuery.Page(request, $"users('{user.Id}')/authentication/temporaryAccessPassMethods", items);
        }
    }

    private GraphResponse GetTap(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        lock (state.Sync)
        {
            if (state.FindUserUnlocked(route["id"]) is not { } user)
            {
                return GraphResponse.NotFound(route["id"]);
            }
            return state.GetTap(user.Id) is { } tap && string.Equals(tap.Id, route["tapId"], StringComparison.OrdinalIgnoreCase)
                ? GraphResponse.Ok(TapJson(user, tap, null))
                : GraphResponse.NotFound(route["tapId"]);
        }
    }

    private GraphResponse DeleteTap(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        lock (state.Sync)
        {
            if (state.FindUserUnlocked(route["id"]) is not { } user)
            {
                return GraphResponse.NotFound(route["id"]);
            }
            if (state.GetTap(user.Id) is not { } tap || !string.Equals(tap.Id, route["tapId"], StringComparison.OrdinalIgnoreCase))
            {
                return GraphResponse.NotFound(route["tapId"]);
            }
            state.SetTapUnlocked(user.Id, null);
            return GraphResponse.NoContent();
        }
    }

    private GraphResponse GetPolicy(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        var json = TapPolicyJson.ToJson(state.TapPolicy);
        var answer = new JsonObject { ["@odata.context"] = request.MetadataUrl("policies/authenticationMethodsPolicy/authenticationMethodConfigurations/$entity") };
        foreach (var (name, value) in json.ToList())
        {
            json.Remove(name);
            answer[name] = value;
        }
        return GraphResponse.Ok(answer);
    }

    private GraphResponse PatchPolicy(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        if (request.BodyObject() is not { } patch)
        {
            return GraphResponse.BadRequest("Invalid request body.", "badRequest");
        }
        lock (state.Sync)
        {
            var (policy, error) = TapPolicyJson.Patch(state.TapPolicy, patch);
            if (policy is null)
            {
                return GraphResponse.BadRequest(error!, "badRequest");
            }
            state.TapPolicy = policy;
            return GraphResponse.NoContent();
        }
    }

    /// <summary>Whether the policy's include/exclude targets cover the user (caller holds the state lock).</summary>
    private bool InScope(TapMethodPolicy policy, SimUser user)
    {
        var groupIds = state.TransitiveGroupsOf(user.Id).Select(g => g.Id).ToHashSet(StringComparer.OrdinalIgnoreCase);
        bool Covers(TapTarget t) => t.TargetType == "user"
            ? string.Equals(t.Id, user.Id, StringComparison.OrdinalIgnoreCase)
            : string.Equals(t.Id, "all_users", StringComparison.OrdinalIgnoreCase) || groupIds.Contains(t.Id);
        return policy.IncludeTargets.Any(Covers) && !policy.ExcludeTargets.Any(Covers);
    }

    private JsonObject TapJson(SimUser user, SimTap tap, string? pass)
    {
        var (usable, reason) = Usability(user, tap);
        return new JsonObject
        {
            ["@odata.type"] = TapType,
            ["id"] = tap.Id,
            ["temporaryAccessPass"] = pass,
            ["createdDateTime"] = SeedLoader.Format(tap.CreatedDateTime),
            ["startDateTime"] = SeedLoader.Format(tap.StartDateTime),
            ["lifetimeInMinutes"] = tap.LifetimeInMinutes,
            ["isUsableOnce"] = tap.IsUsableOnce,
            ["isUsable"] = usable,
            ["methodUsabilityReason"] = reason,
        };
    }

    private (bool Usable, string Reason) Usability(SimUser user, SimTap tap)
    {
        var policy = state.TapPolicy;
        var now = state.Now;
        if (!policy.Enabled || !InScope(policy, user) || (tap.IsUsableOnce == false && policy.IsUsableOnce))
        {
            return (false, "DisabledByPolicy");
        }
        if (tap.IsUsableOnce && tap.Used)
        {
            return (false, "OneTimeUsed");
        }
        if (now < tap.StartDateTime)
        {
            return (false, "NotYetValid");
        }
        if (now >= tap.StartDateTime.AddMinutes(tap.LifetimeInMinutes))
        {
            return (false, "Expired");
        }
        return (true, "EnabledByPolicy");
    }

    private static DateTimeOffset TrimToSeconds(DateTimeOffset value) =>
        new(value.Ticks - (value.Ticks % TimeSpan.TicksPerSecond), value.Offset);
}
