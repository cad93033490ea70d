using System.Text.Json.Nodes;
using TeamsBot.Access;
using TeamsBot.Policies;

namespace TeamsBot.Tests.Policies;

/// <summary>The local evaluation of the registration policies behind a plan's before/after matrix.</summary>
public sealed class PolicyEffectsTests
{
    private static readonly BreakGlassOptions BreakGlass = new()
    {
        UserIds = ["a0000000-0000-4000-8000-000000000008", "a0000000-0000-4000-8000-000000000009"],
        GroupId = "b0000000-0000-4000-8000-000000000004",
    };

    private static Dictionary<string, string> Cells(IReadOnlyList<PlanEffect> effects, bool after) =>
        effects.ToDictionary(e => $"{string.Join(' ', e.Persona.Split(' ').Take(2))}|{e.Location.Split(' ')[0]}", e => after ? e.After : e.Before);

    [Fact]
    public void The_templates_ask_members_for_MFA_and_block_guests_outside_trusted_locations_and_spare_break_glass()
    {
        JsonObject[] templates = [PolicyDiffTests.Render(PolicyKey.A), PolicyDiffTests.Render(PolicyKey.B)];
        var on = templates.Select(t => PolicyEffects.Patched(t, new JsonObject { ["state"] = "enabled" })).ToList();
        var effects = PolicyEffects.Compute(templates, on, hasTrustedLocation: true, BreakGlass);
        var before = Cells(effects, after: false);
        var after = Cells(effects, after: true);

        Assert.Equal("MFA required (report-only)", before["A member|Untrusted"]);
        Assert.Equal("MFA required", after["A member|Untrusted"]);
        Assert.Equal("Blocked", after["A guest|Untrusted"]);
        Assert.Equal("Not applied", after["A member|Trusted"]);
        Assert.Equal("Not applied", after["A guest|Trusted"]);
        Assert.Equal("Not applied", after["Break-glass|Untrusted"]);
        Assert.Equal(2, effects.Count(e => e.Changed));
    }

    [Fact]
    public void A_patch_that_drops_the_break_glass_exclusions_shows_on_the_break_glass_row()
    {
        var a = PolicyDiffTests.Render(PolicyKey.A);
        var patched = PolicyEffects.Patched(a, JsonNode.Parse("""{"conditions":{"users":{"excludeUsers":[],"excludeGroups":[]}}}""")!.AsObject());
        Assert.Equal(2, patched["conditions"]!["users"]!["excludeGuestsOrExternalUsers"]!.AsObject().Count); // objects merge, arrays are replaced
        var effects = PolicyEffects.Compute([a], [patched], hasTrustedLocation: true, BreakGlass);
        var changed = Assert.Single(effects, e => e.Changed);
        Assert.Equal(("Break-glass", "Untrusted network", "Not applied", "MFA required (report-only)"), (changed.Persona, changed.Location, changed.Before, changed.After));
    }

    [Theory]
    [InlineData("""{"conditions":{"locations":{"includeLocations":["All"],"excludeLocations":["c0000000-0000-4000-8000-000000000001"]}}}""", "Can't tell (the policy names locations)")]
    [InlineData("""{"conditions":{"platforms":{"includePlatforms":["android"]}}}""", "Can't tell (the policy also has platforms)")]
    [InlineData("""{"grantControls":{"operator":"AND","builtInControls":["mfa","compliantDevice"]}}""", "MFA and a device required (report-only)")]
    [InlineData("""{"grantControls":{"operator":"OR","builtInControls":["compliantDevice"]}}""", "Device required (report-only)")]
    [InlineData("""{"state":"disabled"}""", "Not applied")]
    public void What_the_evaluation_can_not_tell_it_says(string patch, string memberUntrusted)
    {
        var a = PolicyDiffTests.Render(PolicyKey.A);
        var effects = PolicyEffects.Compute([a], [PolicyEffects.Patched(a, JsonNode.Parse(patch)!.AsObject())], hasTrustedLocation: true, BreakGlass);
        Assert.Equal(memberUntrusted, Cells(effects, after: true)["A member|Untrusted"]);
    }
}
