using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TeamsBot.DevTenant;
using TeamsBot.Directory;

namespace TeamsBot.Tests.DevTenant;

/// <summary>
/// A simulated tenant on an ephemeral loopback port per test class, its clock, and the bot's directory gateway
/// wired to it through <see cref="TenantDirectoryServiceCollectionExtensions.AddTenantDirectory"/>.
/// </summary>
public sealed class SimulatedTenantFixture : IAsyncLifetime
{
    public const int FaultSeed = 1234;

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    public SimulatedTenant Tenant { get; private set; } = null!;

    public ServiceProvider Services { get; private set; } = null!;

    /// <summary>A plain client for raw Graph calls, with a bearer token.</summary>
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Tenant = await SimulatedTenant.StartAsync(new SimulatedTenantOptions { TimeProvider = Time, FaultSeed = FaultSeed });
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Graph:Mode"] = "Simulated",
            ["Graph:BaseUrl"] = Tenant.BaseUrl,
        }).Build();
        Services = new ServiceCollection().AddTenantDirectory(configuration).BuildServiceProvider();
        Http = new HttpClient { BaseAddress = new Uri(Tenant.RootUrl + "/") };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "test-token");
    }

    /// <summary>Back to the seed: no changes, faults or log entries from an earlier test.</summary>
    public void Reset()
    {
        Tenant.State.Reset();
        Tenant.Faults.Clear();
        Tenant.Faults.UseSeed(FaultSeed);
        Tenant.RequestLog.Clear();
    }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string relativeUrl,
        JsonNode? body = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, "v1.0/" + relativeUrl.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }
        configure?.Invoke(request);
        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    public Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> GetAsync(string relativeUrl, Action<HttpRequestMessage>? configure = null) =>
        SendAsync(HttpMethod.Get, relativeUrl, null, configure);

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Services.DisposeAsync();
        await Tenant.DisposeAsync();
    }
}

/// <summary>The seed's fixed ids.</summary>
public static class Seed
{
    public const string TenantId = "7a2d4c1e-5b3f-4e6a-9c8d-0e1f2a3b4c5d";
    public const string Megan = "a0000000-0000-4000-8000-000000000001";
    public const string Nestor = "a0000000-0000-4000-8000-000000000002";
    public const string Adele = "a0000000-0000-4000-8000-000000000003";
    public const string Alex = "a0000000-0000-4000-8000-000000000004";
    public const string Patti = "a0000000-0000-4000-8000-000000000005";
    public const string Isaiah = "a0000000-0000-4000-8000-000000000007";
    public const string BreakGlass1 = "a0000000-0000-4000-8000-000000000008";
    public const string BreakGlass2 = "a0000000-0000-4000-8000-000000000009";
    public const string Diego = "a0000000-0000-4000-8000-000000000010";
    public const string Lynne = "a0000000-0000-4000-8000-000000000011";
    public const string Johanna = "a0000000-0000-4000-8000-000000000012";
    public const string Pradeep = "a0000000-0000-4000-8000-000000000013";
    public const string Grady = "a0000000-0000-4000-8000-000000000014";
    public const string Irvin = "a0000000-0000-4000-8000-000000000015";
    public const string Joni = "a0000000-0000-4000-8000-000000000016";
    public const string JoniUpn = "joni.sherman_fabrikam.com#EXT#@contoso.com";
    public const string Miriam = "a0000000-0000-4000-8000-000000000017";
    public const string Enrico = "a0000000-0000-4000-8000-000000000018";
    public const string Christie = "a0000000-0000-4000-8000-000000000019";
    public const string Henrietta = "a0000000-0000-4000-8000-000000000020";
    public const string FirstOnboardingHire = "a0000000-0000-4000-8000-000000000021";
    public const string LastOnboardingHire = "a0000000-0000-4000-8000-000000000032";
    public const string Layla = "a0000000-0000-4000-8000-000000000032";
    public const string Allan = "a0000000-0000-4000-8000-000000000033";
    public const string Lidia = "a0000000-0000-4000-8000-000000000034";
    public const string Debra = "a0000000-0000-4000-8000-000000000035";

    public const string TapApprovers = "b0000000-0000-4000-8000-000000000001";
    public const string IdentityTeam = "b0000000-0000-4000-8000-000000000002";
    public const string PolicyAdmins = "b0000000-0000-4000-8000-000000000003";
    public const string BreakGlassGroup = "b0000000-0000-4000-8000-000000000004";
    public const string TapExcluded = "b0000000-0000-4000-8000-000000000005";
    public const string TapRequesters = "b0000000-0000-4000-8000-000000000006";
    public const string PrivilegedTapApprovers = "b0000000-0000-4000-8000-000000000007";
    public const string HelpdeskOperators = "b0000000-0000-4000-8000-000000000008";
    public const string SalesUnit = "9a000000-0000-4000-8000-000000000001";

    public const string GlobalAdministrator = "62e90394-69f5-4237-9190-012177145e10";
    public const string UserAdministrator = "fe930be7-5e62-47db-91af-98c3a49a38b1";
    public const string HelpdeskAdministrator = "729827e3-9c14-49f7-bb1b-9608f156bbb8";

    public const string ContosoHq = "c0000000-0000-4000-8000-000000000001";
    public const string GuestWifi = "c0000000-0000-4000-8000-000000000002";

    public const string MfaForAdmins = "d0000000-0000-4000-8000-000000000001";
    public const string BlockLegacyAuth = "d0000000-0000-4000-8000-000000000002";

    public const string TeamsAppId = "7b3f0c4d-2e1a-4b5c-8d9e-0f1a2b3c4d5e";
    public const string TeamsAppExternalId = "c2d4e6f8-0a1b-4c3d-9e5f-6a7b8c9d0e1f";

    public const string TrustedIp = "203.0.113.10";
    public const string UntrustedIp = "198.51.100.10";
    public const string ElsewhereIp = "192.0.2.50";
}

/// <summary>The two registration policies of graph-entra.md §3.3-3.4, as the bot would deploy them.</summary>
public static class RegistrationPolicies
{
    public const string AllGuestTypes = "internalGuest,b2bCollaborationGuest,b2bCollaborationMember,b2bDirectConnectUser,otherExternalUser,serviceProvider";

    public static JsonObject Members(string state = "enabledForReportingButNotEnforced") => (JsonObject)JsonNode.Parse($$"""
        {
          "displayName": "Combined Security Info Registration with TAP",
          "state": "{{state}}",
          "conditions": {
            "clientAppTypes": ["all"],
            "applications": { "includeApplications": [], "includeUserActions": ["urn:user:registersecurityinfo"] },
            "users": {
              "includeUsers": ["All"],
              "excludeUsers": ["{{Seed.BreakGlass1}}", "{{Seed.BreakGlass2}}"],
              "excludeGroups": ["{{Seed.BreakGlassGroup}}"],
              "excludeGuestsOrExternalUsers": {
                "guestOrExternalUserTypes": "{{AllGuestTypes}}",
                "externalTenants": { "@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all" }
              }
            },
            "locations": { "includeLocations": ["All"], "excludeLocations": ["AllTrusted"] }
          },
          "grantControls": { "operator": "OR", "builtInControls": ["mfa"] }
        }
        """)!;

    public static JsonObject Guests(string state = "enabledForReportingButNotEnforced") => (JsonObject)JsonNode.Parse($$"""
        {
          "displayName": "Combined Security Info Registration on Trusted Networks",
          "state": "{{state}}",
          "conditions": {
            "clientAppTypes": ["all"],
            "applications": { "includeApplications": [], "includeUserActions": ["urn:user:registersecurityinfo"] },
            "users": {
              "includeGuestsOrExternalUsers": {
                "guestOrExternalUserTypes": "{{AllGuestTypes}}",
                "externalTenants": { "@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all" }
              }
            },
            "locations": { "includeLocations": ["All"], "excludeLocations": ["AllTrusted"] }
          },
          "grantControls": { "operator": "OR", "builtInControls": ["block"] }
        }
        """)!;

    /// <summary>The same policies in Microsoft's template syntax (GuestsOrExternalUsers inside the user lists).</summary>
    public static JsonObject MembersLegacy()
    {
        var policy = Members();
        var users = policy["conditions"]!["users"]!.AsObject();
        users.Remove("excludeGuestsOrExternalUsers");
        users["excludeUsers"] = new JsonArray("GuestsOrExternalUsers", Seed.BreakGlass1, Seed.BreakGlass2);
        return policy;
    }

    public static JsonObject GuestsLegacy()
    {
        var policy = Guests();
        policy["conditions"]!["users"] = new JsonObject { ["includeUsers"] = new JsonArray("GuestsOrExternalUsers") };
        return policy;
    }
}
