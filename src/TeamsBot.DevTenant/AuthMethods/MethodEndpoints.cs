using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TeamsBot.DevTenant.Http;
using TeamsBot.DevTenant.Tenant;

namespace TeamsBot.DevTenant.AuthMethods;

/// <summary>A user's phone, Microsoft Authenticator and FIDO2 methods by type; phones can be added through Graph.</summary>
internal sealed partial class MethodEndpoints(TenantState state)
{
    private static readonly string[] PhoneTypes = ["mobile", "alternateMobile", "office"];

    public void Map(GraphRouter router)
    {
        router.Map("POST", "/users/{id}/authentication/phoneMethods", CreatePhone);
        foreach (var (segment, type) in new[] { ("phoneMethods", "phone"), ("microsoftAuthenticatorMethods", "microsoftAuthenticator"), ("fido2Methods", "fido2") })
        {
            router.Map("GET", $"/users/{{id}}/authentication/{segment}", (r, v) => List(r, v, segment, type));
            router.Map("GET", $"/users/{{id}}/authentication/{segment}/{{methodId}}", (r, v) => Get(r, v, segment, type));
        }
    }

    /// <summary>
    /// POST phoneMethods (https://learn.microsoft.com/graph/api/authentication-post-phonemethods): phoneNumber as
    /// "+{country code} {number}x{extension}", phoneType mobile, alternateMobile or office; one phone of each type, and
    /// a mobile before an alternateMobile; 201 with the method.
    /// </summary>
    private GraphResponse CreatePhone(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        if (request.BodyObject() is not { } body)
        {
            return GraphResponse.BadRequest("Invalid request body.", "badRequest");
        }
        if (body.ContainsKey("smsSignInState"))
        {
            return GraphResponse.BadRequest("smsSignInState is read-only.", "badRequest");
        }
        if (body.Select(p => p.Key).FirstOrDefault(k => k is not ("@odata.type" or "phoneNumber" or "phoneType")) is { } unknown)
        {
            return GraphResponse.BadRequest($"The property '{unknown}' does not exist on type 'microsoft.graph.phoneAuthenticationMethod'.", "badRequest");
        }
        var number = Text(body, "phoneNumber");
        var phoneType = Text(body, "phoneType");
        if (number is null || phoneType is null)
        {
            return GraphResponse.BadRequest("phoneNumber and phoneType are required.", "badRequest");
        }
        if (!PhoneNumber().IsMatch(number))
        {
            return GraphResponse.BadRequest(
                $"Invalid phone number '{number}'. Phone numbers use the format +{{country code}} {{number}}x{{extension}}, e.g. +1 5555551234 or +1 5555551234x123.",
                "badRequest");
        }
        if (!PhoneTypes.Contains(phoneType, StringComparer.Ordinal))
        {
            return GraphResponse.BadRequest($"'{phoneType}' is not a valid phoneType (mobile, alternateMobile, office).", "badRequest");
        }
        lock (state.Sync)
        {
            if (state.FindUserUnlocked(route["id"]) is not { } user)
            {
                return GraphResponse.NotFound(route["id"]);
            }
            var phones = user.Methods.Where(m => m.Type == "phone").ToList();
            if (phones.Any(p => (p.PhoneType ?? "mobile") == phoneType))
            {
                return GraphResponse.Error(409, "conflict", $"The user already has a {phoneType} phone; a user may have one phone of each type.");
            }
            if (phoneType == "alternateMobile" && phones.All(p => (p.PhoneType ?? "mobile") != "mobile"))
            {
                return GraphResponse.BadRequest("A user must have a mobile phone before an alternateMobile phone is added.", "badRequest");
            }
            var method = new SimAuthMethod(SimAuthMethod.PhoneMethodId(phoneType), "phone", number, state.Now, phoneType);
            state.AddMethodUnlocked(user, method);
            return GraphResponse.Created(ODataQuery.Entity(MethodJson.Method(method),
                request.MetadataUrl($"users('{user.Id}')/authentication/phoneMethods/$entity")));
        }
    }

    // authentication-list-phonemethods, -list-microsoftauthenticatormethods, -list-fido2methods.
    private GraphResponse List(GraphRequest request, IReadOnlyDictionary<string, string> route, string segment, string type)
    {
        lock (state.Sync)
        {
            if (state.FindUserUnlocked(route["id"]) is not { } user)
            {
                return GraphResponse.NotFound(route["id"]);
            }
            var items = user.Methods.Where(m => m.Type == type).Select(MethodJson.Method).ToList();
            return ODataQuery.Page(request, $"users('{user.Id}')/authentication/{segment}", items);
        }
    }

    private GraphResponse Get(GraphRequest request, IReadOnlyDictionary<string, string> route, string segment, string type)
    {
        lock (state.Sync)
        {
            if (state.FindUserUnlocked(route["id"]) is not { } user)
            {
                return GraphResponse.NotFound(route["id"]);
            }
            var method = user.Methods.FirstOrDefault(m => m.Type == type && string.Equals(m.Id, route["methodId"], StringComparison.OrdinalIgnoreCase));
            return method is null
                ? GraphResponse.NotFound(route["methodId"])
                : GraphResponse.Ok(ODataQuery.Entity(MethodJson.Method(method), request.MetadataUrl($"users('{user.Id}')/authentication/{segment}/$entity")));
        }
    }

    private static string? Text(JsonObject body, string name) =>
        body[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? (string?)value : null;

    // "+{country code} {number}x{extension}": a 1-3 digit country code, a space, the subscriber number, an optional extension.
    [GeneratedRegex(@"^\+[1-9]\d{0,2} \d{4,14}(x\d{1,10})?$")]
    private static partial Regex PhoneNumber();
}
