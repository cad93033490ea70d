using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;

namespace TeamsBot.Tests.DevTenant;

/// <summary>Methods a user adds: phones through Graph, Authenticator and FIDO2 through the developer API.</summary>
public sealed class AuthenticationMethodTests : IClassFixture<SimulatedTenantFixture>
{
    private readonly SimulatedTenantFixture fx;
    private readonly GraphServiceClient graph;

    public AuthenticationMethodTests(SimulatedTenantFixture fixture)
    {
        fx = fixture;
        fx.Reset();
        graph = fx.Get<GraphServiceClient>();
    }

    [Fact]
    public async Task A_mobile_phone_is_added_with_graphs_fixed_id_and_listed_among_the_methods()
    {
        var created = await graph.Users[Seed.Diego].Authentication.PhoneMethods.PostAsync(
            new PhoneAuthenticationMethod { PhoneNumber = "+1 2065550123", PhoneType = AuthenticationPhoneType.Mobile });
        var phones = await graph.Users[Seed.Diego].Authentication.PhoneMethods.GetAsync();
        var all = await graph.Users[Seed.Diego].Authentication.Methods.GetAsync();
        var byId = await graph.Users[Seed.Diego].Authentication.PhoneMethods["3179e48a-750b-4051-897c-87b9720928f7"].GetAsync();

        Assert.Equal("3179e48a-750b-4051-897c-87b9720928f7", created!.Id);
        Assert.Equal(AuthenticationPhoneType.Mobile, created.PhoneType);
        Assert.Equal(fx.Time.GetUtcNow(), created.CreatedDateTime);
        Assert.Equal("+1 2065550123", Assert.Single(phones!.Value!).PhoneNumber);
        Assert.Contains(all!.Value!, m => m is PhoneAuthenticationMethod { PhoneNumber: "+1 2065550123" });
        Assert.Contains(all.Value!, m => m is PasswordAuthenticationMethod);
        Assert.Equal("+1 2065550123", byId!.PhoneNumber);
    }

    [Theory]
    [InlineData("12065550123")]
    [InlineData("+12065550123")]
    [InlineData("+1-2065550123")]
    [InlineData("+1 (206) 5550123")]
    [InlineData("+1 2065550123 x12")]
    [InlineData("+0 2065550123")]
    public async Task Phone_numbers_outside_graphs_format_are_refused(string number)
    {
        var error = await Assert.ThrowsAsync<ODataError>(() => graph.Users[Seed.Diego].Authentication.PhoneMethods.PostAsync(
            new PhoneAuthenticationMethod { PhoneNumber = number, PhoneType = AuthenticationPhoneType.Mobile }));

        Assert.Equal(400, error.ResponseStatusCode);
    }

    [Fact]
    public async Task One_phone_of_each_type_and_a_mobile_before_an_alternate_mobile()
    {
        var alternateFirst = await Assert.ThrowsAsync<ODataError>(() => AddPhoneAsync("+44 7700900123", AuthenticationPhoneType.AlternateMobile));
        var office = await AddPhoneAsync("+1 4255550100x123", AuthenticationPhoneType.Office);
        await AddPhoneAsync("+44 7700900123", AuthenticationPhoneType.Mobile);
        var alternate = await AddPhoneAsync("+44 7700900456", AuthenticationPhoneType.AlternateMobile);
        var secondMobile = await Assert.ThrowsAsync<ODataError>(() => AddPhoneAsync("+44 7700900789", AuthenticationPhoneType.Mobile));

        Assert.Equal(400, alternateFirst.ResponseStatusCode);
        Assert.Equal("e37fc753-ff3b-4958-9484-eaa9425c82bc", office!.Id);
        Assert.Equal("b6332ec1-7057-4abe-9331-3d72feddfe41", alternate!.Id);
        Assert.Equal(409, secondMobile.ResponseStatusCode);
    }

    [Fact]
    public async Task Unknown_phone_types_read_only_properties_and_users_are_refused()
    {
        var pager = await fx.SendAsync(HttpMethod.Post, $"users/{Seed.Diego}/authentication/phoneMethods",
            new JsonObject { ["phoneNumber"] = "+1 2065550123", ["phoneType"] = "pager" });
        var readOnly = await fx.SendAsync(HttpMethod.Post, $"users/{Seed.Diego}/authentication/phoneMethods",
            new JsonObject { ["phoneNumber"] = "+1 2065550123", ["phoneType"] = "mobile", ["smsSignInState"] = "ready" });
        var nobody = await fx.SendAsync(HttpMethod.Post, "users/nobody@contoso.com/authentication/phoneMethods",
            new JsonObject { ["phoneNumber"] = "+1 2065550123", ["phoneType"] = "mobile" });

        Assert.Equal(400, pager.Status);
        Assert.Equal(400, readOnly.Status);
        Assert.Equal(404, nobody.Status);
    }

    [Fact]
    public async Task Authenticator_and_fido2_methods_are_added_through_the_developer_api()
    {
        var authenticator = await fx.Http.PostAsJsonAsync(new Uri($"_dev/users/{Seed.Diego}/authenticationMethods", UriKind.Relative),
            new { type = "microsoftAuthenticator", displayName = "Diego's Pixel" });
        var key = await fx.Http.PostAsJsonAsync(new Uri("_dev/users/diego.siciliani@contoso.com/authenticationMethods", UriKind.Relative),
            new { type = "fido2", displayName = "YubiKey 5 NFC", createdDateTime = "2026-03-01T10:00:00Z" });
        var refused = await fx.Http.PostAsJsonAsync(new Uri($"_dev/users/{Seed.Diego}/authenticationMethods", UriKind.Relative), new { type = "phone" });
        var nobody = await fx.Http.PostAsJsonAsync(new Uri("_dev/users/nobody@contoso.com/authenticationMethods", UriKind.Relative), new { type = "fido2" });
        var authenticators = await graph.Users[Seed.Diego].Authentication.MicrosoftAuthenticatorMethods.GetAsync();
        var keys = await graph.Users[Seed.Diego].Authentication.Fido2Methods.GetAsync();
        var all = await graph.Users[Seed.Diego].Authentication.Methods.GetAsync();

        Assert.Equal(201, (int)authenticator.StatusCode);
        Assert.Equal("#microsoft.graph.fido2AuthenticationMethod", (string?)(await key.Content.ReadFromJsonAsync<JsonObject>())!["@odata.type"]);
        Assert.Equal(400, (int)refused.StatusCode);
        Assert.Equal(404, (int)nobody.StatusCode);
        var registered = Assert.Single(authenticators!.Value!);
        Assert.Equal("Diego's Pixel", registered.DisplayName);
        Assert.Equal(fx.Time.GetUtcNow(), registered.CreatedDateTime);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero), Assert.Single(keys!.Value!).CreatedDateTime);
        Assert.Contains(all!.Value!, m => m is MicrosoftAuthenticatorAuthenticationMethod);
        Assert.Contains(all.Value!, m => m is Fido2AuthenticationMethod);
    }

    private Task<PhoneAuthenticationMethod?> AddPhoneAsync(string number, AuthenticationPhoneType type) =>
        graph.Users[Seed.Lynne].Authentication.PhoneMethods.PostAsync(new PhoneAuthenticationMethod { PhoneNumber = number, PhoneType = type });
}
