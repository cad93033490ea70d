using System.Text.Json.Nodes;
using TeamsBot.DevTenant.Tenant;

namespace TeamsBot.DevTenant.AuthMethods;

/// <summary>Graph's JSON for a registered authentication method, with its @odata.type.</summary>
internal static class MethodJson
{
    public static JsonObject Method(SimAuthMethod method)
    {
        var json = new JsonObject
        {
            ["@odata.type"] = $"#microsoft.graph.{method.Type}AuthenticationMethod",
            ["id"] = method.Id,
            ["createdDateTime"] = SeedLoader.Format(method.CreatedDateTime),
        };
        switch (method.Type)
        {
            case "password":
                json["password"] = null;
                break;
            case "microsoftAuthenticator":
                json["displayName"] = method.DisplayName;
                json["deviceTag"] = "SoftwareTokenActivated";
                json["phoneAppVersion"] = "6.8.14";
                break;
            case "fido2":
                json["displayName"] = method.DisplayName;
                json["aaGuid"] = "cb69481e-8ff7-4039-93ec-0a2729a154a8";
                json["model"] = method.DisplayName;
                json["attestationCertificates"] = new JsonArray();
                json["attestationLevel"] = "attested";
                break;
            case "phone":
                // phoneAuthenticationMethod: SMS sign-in only ever applies to the mobile number, and no tenant here enables it.
                json["phoneNumber"] = method.DisplayName;
                json["phoneType"] = method.PhoneType ?? "mobile";
                json["smsSignInState"] = (method.PhoneType ?? "mobile") == "mobile" ? "notAllowedByPolicy" : "notSupported";
                break;
            case "email":
                json["emailAddress"] = method.DisplayName;
                break;
            default:
                json["displayName"] = method.DisplayName;
                break;
        }
        return json;
    }
}
