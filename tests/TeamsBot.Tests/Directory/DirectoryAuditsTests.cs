using System.Net.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TeamsBot.DevTenant;
using TeamsBot.Directory;
using TeamsBot.Tests.DevTenant;

namespace TeamsBot.Tests.Directory;

/// <summary>Who changed a Conditional Access policy, from the directory audit log, through the gateway.</summary>
public sealed class DirectoryAuditsTests : IClassFixture<SimulatedTenantFixture>
{
    private readonly SimulatedTenantFixture fx;

    public DirectoryAuditsTests(SimulatedTenantFixture fixture)
    {
        fx = fixture;
        fx.Reset();
    }

    /// <summary>The gateway as a bot with <paramref name="appId"/> (empty: local mode) has it.</summary>
    private ServiceProvider Gateway(string appId) => new ServiceCollection().AddTenantDirectory(new ConfigurationBuilder().AddInMemoryCollection(
        new Dictionary<string, string?> { ["Graph:Mode"] = "Simulated", ["Graph:BaseUrl"] = fx.Tenant.BaseUrl, ["Bot:AppId"] = appId }).Build())
        .BuildServiceProvider();

    [Theory]
    [InlineData(SimulatedTenantOptions.DefaultBotAppId, true)] // the bot's own app id
    [InlineData("", true)] // local mode: no app id, every app's change is taken for the bot's
    [InlineData("0e3e1c1a-0000-4000-8000-00000000abcd", false)] // another bot: the change is someone else's
    public async Task Changes_are_listed_newest_first_with_the_person_or_app_that_made_them(string appId, bool appIsThisBot)
    {
        await using var services = Gateway(appId);
        var created = await services.GetRequiredService<IConditionalAccess>().CreatePolicyAsync(
            RegistrationPolicies.Members());
        var changed = await fx.Http.PostAsJsonAsync(new Uri($"_dev/conditionalAccess/policies/{created.Id}/change", UriKind.Relative),
            new { actorUpn = "isaiah.langer@contoso.com", patch = new { state = "disabled" } });
        changed.EnsureSuccessStatusCode();

        var changes = await services.GetRequiredService<IDirectoryAudits>().ListPolicyChangesAsync(created.Id, 10);

        Assert.Equal(2, changes.Count);
        Assert.Equal(("Update conditional access policy", "Isaiah Langer (isaiah.langer@contoso.com)", false),
            (changes[0].Activity, changes[0].Actor, changes[0].ByThisBot));
        Assert.Equal(("Add conditional access policy", "the app TeamsBot", appIsThisBot), (changes[1].Activity, changes[1].Actor, changes[1].ByThisBot));
        Assert.Empty(await services.GetRequiredService<IDirectoryAudits>().ListPolicyChangesAsync(Seed.MfaForAdmins, 10));
    }
}
