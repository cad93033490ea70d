using TeamsBot.Directory;
using TeamsBot.Policies;

namespace TeamsBot.Tests.Policies;

/// <summary>Which trusted locations make the registration policies hollow, without a host.</summary>
public sealed class TrustedLocationsTests
{
    private static readonly TapPolicy Tap = new(true, 60, 60, 480, 8, false, [], []);

    private static TenantSnapshot Snapshot(params NamedLocation[] locations) => new(
        [new PolicyView(PolicyKey.A, null, null, []), new PolicyView(PolicyKey.B, null, null, [])], locations, Tap);

    private static NamedLocation Ip(string name, params string[] ranges) => new(name, name, "ip", true, ranges, []);

    [Theory]
    [InlineData(false, "203.0.113.0/24")]
    [InlineData(false, "10.0.0.0/8")] // a /8 exactly is the limit
    [InlineData(true, "0.0.0.0/0")]
    [InlineData(true, "10.0.0.0/7")]
    [InlineData(true, "::/0")]
    [InlineData(false, "2001:db8::/32")]
    [InlineData(true, "10.0.0.0/9", "11.0.0.0/9", "12.0.0.0/9")] // 1.5 × /8 in one location
    [InlineData(false, "10.0.0.0/8", "10.1.0.0/16")] // overlaps count once
    public void A_location_is_hollow_when_it_trusts_more_than_a_slash_8_or_everyone(bool hollow, params string[] ranges)
    {
        var finding = Assert.Single(TrustedLocations.Examine(Snapshot(Ip("Office", ranges))));
        Assert.Equal(hollow, finding.Hollow);
        Assert.Equal(string.Join(", ", ranges), finding.Covers);
    }

    [Fact]
    public void Narrow_locations_that_add_up_to_more_than_a_slash_8_are_flagged_together()
    {
        var findings = TrustedLocations.Examine(Snapshot(Ip("East", "10.0.0.0/8"), Ip("West", "11.0.0.0/9"), new NamedLocation("x", "Wi-Fi", "ip", false, ["0.0.0.0/0"], [])));
        Assert.Equal(["East", "West"], findings.Select(f => f.Name));
        Assert.All(findings, f => Assert.Contains("together the trusted locations cover 25,165,824 IPv4 addresses", Assert.Single(f.Problems), StringComparison.Ordinal));
    }

    [Fact]
    public void A_country_a_policy_excludes_is_trusted_and_hollow()
    {
        var policy = PolicyDiffTests.Render(PolicyKey.A);
        policy["conditions"]!["locations"]!["excludeLocations"] = new System.Text.Json.Nodes.JsonArray("AllTrusted", "c-1");
        var view = new PolicyView(PolicyKey.A, null, new CaPolicyDocument("p", "A", "enabled", null, null, policy), []);
        var snapshot = new TenantSnapshot([view, new PolicyView(PolicyKey.B, null, null, [])],
            [Ip("HQ", "203.0.113.0/24"), new NamedLocation("c-1", "Home country", "country", false, [], ["NL", "BE"])], Tap);
        var findings = TrustedLocations.Examine(snapshot);
        Assert.False(findings[0].Hollow);
        Assert.Equal("countries NL, BE", findings[1].Covers);
        Assert.Equal("excluded by policy A", findings[1].Why);
        Assert.Contains("a country is guessed from the IP address", Assert.Single(findings[1].Problems), StringComparison.Ordinal);
    }
}
