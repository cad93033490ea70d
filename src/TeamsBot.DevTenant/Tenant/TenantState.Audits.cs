using System.Globalization;
using System.Text.Json.Nodes;

namespace TeamsBot.DevTenant.Tenant;

/// <summary>
/// The directory audit log (https://learn.microsoft.com/graph/api/resources/directoryaudit). Every Conditional Access
/// policy created, changed or deleted through Graph or the /_dev "person in the portal" calls leaves an entry, with the
/// activity names Entra uses ("Add conditional access policy", category Policy, logged by Conditional Access).
/// </summary>
public sealed partial class TenantState
{
    private readonly List<JsonObject> directoryAudits = [];

    /// <summary>Every entry, oldest first.</summary>
    public IReadOnlyList<JsonObject> DirectoryAudits
    {
        get
        {
            lock (Sync)
            {
                return directoryAudits.Select(a => (JsonObject)a.DeepClone()).ToList();
            }
        }
    }

    /// <summary>Adds a Graph-shaped directoryAudit entry (id, correlationId and activityDateTime default to new/now).</summary>
    public void AddDirectoryAudit(JsonObject entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var copy = (JsonObject)entry.DeepClone();
        copy["id"] ??= Guid.NewGuid().ToString();
        copy["correlationId"] ??= Guid.NewGuid().ToString();
        copy["activityDateTime"] ??= AuditTime(Now);
        lock (Sync)
        {
            directoryAudits.Add(copy);
        }
    }

    internal List<JsonObject> DirectoryAuditsUnlocked => directoryAudits;

    /// <summary>The calling app (the bot) as an audit initiator.</summary>
    internal JsonObject AppInitiator() => new()
    {
        ["app"] = new JsonObject
        {
            ["appId"] = options.BotAppId,
            ["displayName"] = options.BotDisplayName,
            ["servicePrincipalId"] = options.BotServicePrincipalId,
            ["servicePrincipalName"] = options.BotDisplayName,
        },
        ["user"] = null,
    };

    /// <summary>A person (in the portal) as an audit initiator.</summary>
    internal static JsonObject UserInitiator(SimUser user, string? ipAddress) => new()
    {
        ["app"] = null,
        ["user"] = new JsonObject
        {
            ["id"] = user.Id,
            ["displayName"] = user.DisplayName,
            ["userPrincipalName"] = user.UserPrincipalName,
            ["ipAddress"] = ipAddress,
        },
    };

    /// <summary>Records a Conditional Access policy change; the old and new policies go in as JSON (caller holds <see cref="Sync"/>).</summary>
    internal void RecordPolicyChangeUnlocked(string operationType, JsonObject? before, JsonObject? after, JsonObject initiator)
    {
        var policy = after ?? before!;
        var activity = operationType switch
        {
            "Add" => "Add conditional access policy",
            "Update" => "Update conditional access policy",
            _ => "Delete conditional access policy",
        };
        directoryAudits.Add(new JsonObject
        {
            ["id"] = Guid.NewGuid().ToString(),
            ["category"] = "Policy",
            ["correlationId"] = Guid.NewGuid().ToString(),
            ["result"] = "success",
            ["resultReason"] = "",
            ["activityDisplayName"] = activity,
            ["activityDateTime"] = AuditTime(Now),
            ["loggedByService"] = "Conditional Access",
            ["operationType"] = operationType,
            ["initiatedBy"] = initiator.DeepClone(),
            ["targetResources"] = new JsonArray(new JsonObject
            {
                ["id"] = (string?)policy["id"],
                ["displayName"] = (string?)policy["displayName"],
                ["type"] = "Policy",
                ["userPrincipalName"] = null,
                ["groupType"] = null,
                ["modifiedProperties"] = new JsonArray(new JsonObject
                {
                    ["displayName"] = "ConditionalAccessPolicy",
                    ["oldValue"] = before?.ToJsonString(),
                    ["newValue"] = after?.ToJsonString(),
                }),
            }),
            ["additionalDetails"] = new JsonArray(),
        });
    }

    /// <summary>Audit times carry fractions of a second, like Graph's ("2018-01-09T21:20:02.7215374Z").</summary>
    internal static string AuditTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private void ResetAuditsUnlocked(SeedData seed)
    {
        directoryAudits.Clear();
        directoryAudits.AddRange(seed.DirectoryAudits);
    }
}
