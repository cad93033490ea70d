using System.Text.Json.Nodes;
using TeamsBot.Tests.Infrastructure;
using static TeamsBot.Tests.Infrastructure.BotWorld;

namespace TeamsBot.Tests.Policies;

/// <summary>The trusted locations the policies skip, examined: a location that trusts everyone makes them hollow.</summary>
public abstract partial class PolicyFlows
{
    private const string GuestWifi = "c0000000-0000-4000-8000-000000000002";

    [Fact]
    public async Task A_trusted_location_of_everyone_blocks_promotion_even_with_a_reason()
    {
        await DeployAsync(_world);
        _world.Clock.Advance(TimeSpan.FromDays(8));
        _world.Tenant.State.ChangeNamedLocation(GuestWifi, l =>
        {
            l["displayName"] = "Everywhere";
            l["isTrusted"] = true;
            l["ipRanges"] = new JsonArray(new JsonObject { ["@odata.type"] = "#microsoft.graph.iPv4CidrRange", ["cidrAddress"] = "0.0.0.0/0" });
        });

        var (_, refused) = await PlanAsync(_world, Patti, "policy promote A because the pilot went well", "can't be promoted yet");
        var text = CardReader.AllText(refused);
        Assert.Contains("Trusted locations are narrow: no. 'Everywhere' (0.0.0.0/0): 0.0.0.0/0 trusts every IPv4 address", text, StringComparison.Ordinal);
        Assert.Contains("an override reason doesn't lift this", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Ours(), p => p["state"]!.GetValue<string>() == "enabled");

        var (_, status) = await PlanAsync(_world, Patti, "policy status", "Security-info registration policies");
        var statusText = CardReader.AllText(status);
        Assert.Contains("✔ Contoso HQ: 203.0.113.0/24 (marked as trusted)", statusText, StringComparison.Ordinal);
        Assert.Contains("✖ Everywhere: 0.0.0.0/0", statusText, StringComparison.Ordinal);
        Assert.Contains("✖ Trusted locations are narrow", statusText, StringComparison.Ordinal);
    }
}
