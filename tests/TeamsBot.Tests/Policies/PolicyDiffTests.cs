using TeamsBot.Access;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using TeamsBot.Policies;

namespace TeamsBot.Tests.Policies;

public sealed class PolicyDiffTests
{
    internal static JsonObject Render(PolicyKey key) => new RegistrationPolicies(Options.Create(new BreakGlassOptions
    {
        UserIds = ["a0000000-0000-4000-8000-000000000008", "a0000000-0000-4000-8000-000000000009"],
        GroupId = "b0000000-0000-4000-8000-000000000004",
    }), Options.Create(new PolicyOptions())).Render(key);

    [Fact]
    public void Templates_are_report_only_and_hold_only_writable_fields_and_placeholders()
    {
        foreach (var key in RegistrationPolicies.All)
        {
            var template = RegistrationPolicies.Template(key);
            Assert.Equal("enabledForReportingButNotEnforced", template["state"]!.GetValue<string>());
            foreach (var readOnly in new[] { "id", "createdDateTime", "modifiedDateTime", "templateId" }) Assert.Null(template[readOnly]);
            Assert.Contains(RegistrationPolicies.Marker(key), template["description"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        Assert.Contains("{{breakGlassUserIds}}", RegistrationPolicies.Template(PolicyKey.A).ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Rendering_fills_placeholders_and_drops_empty_ones()
    {
        var filled = Render(PolicyKey.A);
        Assert.Equal(2, filled["conditions"]!["users"]!["excludeUsers"]!.AsArray().Count);
        var none = new RegistrationPolicies(Options.Create(new BreakGlassOptions()), Options.Create(new PolicyOptions())).Render(PolicyKey.A);
        Assert.Empty(none["conditions"]!["users"]!["excludeUsers"]!.AsArray());
        Assert.DoesNotContain("{{", none.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_back_values_annotations_order_and_empty_fields_are_not_drift()
    {
        var expected = Render(PolicyKey.A);
        var actual = expected.DeepClone().AsObject();
        actual["id"] = "x";
        actual["createdDateTime"] = "2026-01-01T00:00:00Z";
        actual["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#...";
        actual["state"] = "enabled";
        actual["sessionControls"] = null;
        actual["conditions"]!["platforms"] = null;
        actual["conditions"]!["signInRiskLevels"] = new JsonArray();
        actual["conditions"]!["users"]!["excludeUsers"] = new JsonArray("A0000000-0000-4000-8000-000000000009", "a0000000-0000-4000-8000-000000000008");
        actual["conditions"]!["users"]!["excludeGuestsOrExternalUsers"]!["guestOrExternalUserTypes"] =
            "serviceProvider,internalGuest,b2bCollaborationGuest,b2bCollaborationMember,b2bDirectConnectUser,otherExternalUser";
        Assert.Empty(PolicyDiff.Compare(expected, actual));
    }

    [Theory]
    [InlineData("conditions.users.excludeGroups")]
    [InlineData("conditions.users.includeRoles")]
    [InlineData("conditions.applications.includeApplications")]
    [InlineData("grantControls.customAuthenticationFactors")]
    [InlineData("grantControls.termsOfUse")]
    public void Null_absent_and_empty_lists_are_no_drift(string path)
    {
        var expected = Render(PolicyKey.B);
        foreach (var actualValue in new JsonNode?[] { null, new JsonArray() })
        {
            foreach (var (e, a) in new[] { (expected, With(expected, path, actualValue)), (With(expected, path, actualValue), expected) })
                Assert.Empty(PolicyDiff.Compare(e, a));
        }
        var absent = expected.DeepClone().AsObject();
        Assert.Empty(PolicyDiff.Compare(With(expected, path, new JsonArray()), absent));

        static JsonObject With(JsonObject policy, string path, JsonNode? value)
        {
            var copy = policy.DeepClone().AsObject();
            var parts = path.Split('.');
            var node = copy;
            foreach (var part in parts[..^1]) node = (JsonObject)(node[part] ??= new JsonObject());
            node[parts[^1]] = value?.DeepClone();
            return copy;
        }
    }

    [Fact]
    public void Id_order_is_no_drift_but_a_different_id_is()
    {
        var expected = Render(PolicyKey.A);
        expected["conditions"]!["users"]!["excludeGroups"] = new JsonArray("b0000000-0000-4000-8000-000000000004", "b0000000-0000-4000-8000-000000000005");
        var reordered = expected.DeepClone().AsObject();
        reordered["conditions"]!["users"]!["excludeUsers"] = new JsonArray("a0000000-0000-4000-8000-000000000009", "a0000000-0000-4000-8000-000000000008");
        reordered["conditions"]!["users"]!["excludeGroups"] = new JsonArray("b0000000-0000-4000-8000-000000000005", "b0000000-0000-4000-8000-000000000004");
        reordered["conditions"]!["locations"]!["excludeLocations"] = new JsonArray("AllTrusted");
        reordered["grantControls"]!["builtInControls"] = new JsonArray("mfa");
        Assert.Empty(PolicyDiff.Compare(expected, reordered));

        var other = reordered.DeepClone().AsObject();
        other["conditions"]!["users"]!["excludeUsers"] = new JsonArray("a0000000-0000-4000-8000-000000000009", "a0000000-0000-4000-8000-000000000007");
        Assert.Equal("conditions.users.excludeUsers", Assert.Single(PolicyDiff.Compare(expected, other)).Path);
        var fewer = reordered.DeepClone().AsObject();
        fewer["conditions"]!["users"]!["excludeGroups"] = new JsonArray("b0000000-0000-4000-8000-000000000004", "b0000000-0000-4000-8000-000000000004");
        Assert.Equal("conditions.users.excludeGroups", Assert.Single(PolicyDiff.Compare(expected, fewer)).Path);
    }

    [Fact]
    public void Real_changes_are_reported_field_by_field()
    {
        var expected = Render(PolicyKey.A);
        var actual = expected.DeepClone().AsObject();
        actual["conditions"]!["locations"]!["excludeLocations"] = new JsonArray();
        actual["grantControls"]!["builtInControls"] = new JsonArray("block");
        actual["conditions"]!["users"]!["includeGroups"] = new JsonArray("g1");
        var changes = PolicyDiff.Compare(expected, actual);
        Assert.Equal(["conditions.locations.excludeLocations", "conditions.users.includeGroups", "grantControls.builtInControls"],
            changes.Select(c => c.Path).Order(StringComparer.Ordinal).ToArray());
    }
}

/// <summary>A policy's description, which Graph's v1.0 docs call "Not used" for Conditional Access, decides nothing.</summary>
public sealed class PolicyDescriptionTests
{
    [Fact]
    public void A_missing_or_changed_description_is_no_drift()
    {
        var expected = PolicyDiffTests.Render(TeamsBot.Policies.PolicyKey.A);
        var dropped = expected.DeepClone().AsObject();
        dropped["description"] = null;
        var edited = expected.DeepClone().AsObject();
        edited["description"] = "changed in the portal";

        Assert.Empty(TeamsBot.Policies.PolicyDiff.Compare(expected, dropped));
        Assert.Empty(TeamsBot.Policies.PolicyDiff.Compare(expected, edited));
    }

    [Theory]
    [InlineData(true, "Combined Security Info Registration with TAP", true)] // the marker
    [InlineData(false, "Combined Security Info Registration with TAP", true)] // no description: the name
    [InlineData(false, "combined security info registration with tap ", true)]
    [InlineData(false, "Combined Security Info Registration on Trusted Networks", false)] // that is B
    [InlineData(false, "Something else", false)]
    public void A_policy_is_found_by_its_marker_else_by_its_name_on_the_registration_user_action(bool marker, string name, bool found)
    {
        var policy = PolicyDiffTests.Render(TeamsBot.Policies.PolicyKey.A);
        policy["description"] = marker ? "Managed by TeamsBot (teamsbot:registration-policy:A)." : null;
        policy["displayName"] = name;

        Assert.Equal(found, TeamsBot.Policies.RegistrationPolicies.Recognises(TeamsBot.Policies.PolicyKey.A, policy));

        policy["conditions"]!["applications"]!["includeUserActions"] = new System.Text.Json.Nodes.JsonArray("urn:user:registerdevice");
        Assert.Equal(marker, TeamsBot.Policies.RegistrationPolicies.Recognises(TeamsBot.Policies.PolicyKey.A, policy));
    }
}
