using System.Text.Json.Nodes;
using TeamsBot.DevTenant.ConditionalAccess;

namespace TeamsBot.DevTenant.Tenant;

/// <summary>Authentication strengths: the built-in ones and the tenant's custom ones.</summary>
public sealed partial class TenantState
{
    private readonly List<SimAuthStrength> customStrengths = [];

    /// <summary>The built-in strengths followed by the custom ones.</summary>
    public IReadOnlyList<SimAuthStrength> AuthenticationStrengths
    {
        get
        {
            lock (Sync)
            {
                return StrengthsUnlocked().ToList();
            }
        }
    }

    internal IEnumerable<SimAuthStrength> StrengthsUnlocked() => ConditionalAccess.AuthenticationStrengths.BuiltIn.Concat(customStrengths);

    internal List<SimAuthStrength> CustomStrengthsUnlocked => customStrengths;

    internal SimAuthStrength? FindStrengthUnlocked(string id) =>
        StrengthsUnlocked().FirstOrDefault(s => string.Equals(s.Id, id, StringComparison.OrdinalIgnoreCase));

    /// <summary>The Conditional Access policies whose grant controls name the strength.</summary>
    internal List<JsonObject> PoliciesUsingStrengthUnlocked(string id) =>
        policies.Where(p => string.Equals((string?)p["grantControls"]?["authenticationStrength"]?["id"], id, StringComparison.OrdinalIgnoreCase)).ToList();

    /// <summary>
    /// A stored policy as Graph answers it: the authentication strength expanded, and no description when the tenant
    /// drops it (caller holds <see cref="Sync"/>).
    /// </summary>
    internal JsonObject PresentPolicyUnlocked(JsonObject stored, string serviceRoot)
    {
        var presented = PolicyDocument.Present(stored, serviceRoot, FindStrengthUnlocked);
        if (DropConditionalAccessDescription)
        {
            presented["description"] = null;
        }
        return presented;
    }

    private void ResetStrengthsUnlocked(SeedData seed)
    {
        customStrengths.Clear();
        customStrengths.AddRange(seed.AuthenticationStrengths);
    }
}
