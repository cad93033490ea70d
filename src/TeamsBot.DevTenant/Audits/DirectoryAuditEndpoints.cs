using System.Globalization;
using System.Text.Json.Nodes;
using TeamsBot.DevTenant.Http;
using TeamsBot.DevTenant.Tenant;

namespace TeamsBot.DevTenant.Audits;

/// <summary>
/// GET /auditLogs/directoryAudits[/{id}] (https://learn.microsoft.com/graph/api/directoryaudit-list), newest first,
/// with the documented $filter capabilities, $orderby on activityDateTime, $top and paging. Audit logs are available
/// in every Microsoft Entra edition, so unlike sign-ins there is no licence refusal.
/// </summary>
internal sealed class DirectoryAuditEndpoints(TenantState state)
{
    private static readonly string[] Eq = ["eq"];
    private static readonly string[] EqStartsWith = ["eq", "startswith"];

    // The properties the directoryAudit resource page says support $filter, and how.
    private static readonly FilterSchema Filter = new(
        new Dictionary<string, FilterProperty>
        {
            ["activityDateTime"] = new(FilterKind.DateTime, "eq", "ge", "le"),
            ["activityDisplayName"] = new(FilterKind.String, EqStartsWith),
            ["category"] = new(FilterKind.String, Eq),
            ["correlationId"] = new(FilterKind.String, Eq),
            ["id"] = new(FilterKind.String, Eq),
            ["loggedByService"] = new(FilterKind.String, Eq),
            ["initiatedBy/user/id"] = new(FilterKind.String, Eq),
            ["initiatedBy/user/displayName"] = new(FilterKind.String, Eq),
            ["initiatedBy/user/userPrincipalName"] = new(FilterKind.String, EqStartsWith),
            ["initiatedBy/app/appId"] = new(FilterKind.String, Eq),
            ["initiatedBy/app/displayName"] = new(FilterKind.String, Eq),
        },
        new Dictionary<string, FilterSchema>
        {
            ["targetResources"] = new(new Dictionary<string, FilterProperty>
            {
                ["id"] = new(FilterKind.String, Eq),
                ["displayName"] = new(FilterKind.String, EqStartsWith),
            }),
        });

    public void Map(GraphRouter router)
    {
        router.Map("GET", "/auditLogs/directoryAudits", List);
        router.Map("GET", "/auditLogs/directoryAudits/{id}", Get);
    }

    private GraphResponse List(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        var (filter, badFilter) = ODataFilter.FromRequest(request, Filter, "Request_UnsupportedQuery");
        if (badFilter is not null)
        {
            return badFilter;
        }
        var newestFirst = true;
        if (request.QueryValue("$orderby") is { Length: > 0 } orderBy)
        {
            var parts = orderBy.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts[0] != "activityDateTime" || parts.Length > 2 || (parts.Length == 2 && parts[1] is not ("asc" or "desc")))
            {
                return GraphResponse.BadRequest($"Invalid $orderby '{orderBy}': directory audits sort by activityDateTime only.", "Request_UnsupportedQuery");
            }
            newestFirst = parts.Length == 2 && parts[1] == "desc";
        }
        lock (state.Sync)
        {
            // Equal times keep the order of arrival (later ones count as newer).
            var ordered = state.DirectoryAuditsUnlocked
                .Select((entry, index) => (Entry: entry, Index: index, At: At(entry)))
                .Where(e => filter(e.Entry));
            ordered = newestFirst
                ? ordered.OrderByDescending(e => e.At).ThenByDescending(e => e.Index)
                : ordered.OrderBy(e => e.At).ThenBy(e => e.Index);
            var items = ordered.Select(e => (JsonObject)e.Entry.DeepClone()).ToList();
            return ODataQuery.Page(request, "auditLogs/directoryAudits", items, defaultPageSize: 1000, maxTop: 1000);
        }
    }

    // https://learn.microsoft.com/graph/api/directoryaudit-get
    private GraphResponse Get(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        lock (state.Sync)
        {
            var entry = state.DirectoryAuditsUnlocked.FirstOrDefault(a => string.Equals((string?)a["id"], route["id"], StringComparison.OrdinalIgnoreCase));
            return entry is null
                ? GraphResponse.NotFound(route["id"])
                : GraphResponse.Ok(ODataQuery.Entity((JsonObject)entry.DeepClone(), request.MetadataUrl("auditLogs/directoryAudits/$entity")));
        }
    }

    private static DateTimeOffset At(JsonObject entry) =>
        DateTimeOffset.Parse((string?)entry["activityDateTime"] ?? "0001-01-01T00:00:00Z", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
