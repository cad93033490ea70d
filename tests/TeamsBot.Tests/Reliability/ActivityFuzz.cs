using TeamsBot.Approvals;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CsCheck;
using TeamsBot.Policies;
using TeamsBot.Tap;
using TeamsBot.Tests.Infrastructure;

namespace TeamsBot.Tests.Reliability;

/// <summary>Real things the fuzzer aims at: where replies go, and records that exist in the bot's store.</summary>
public sealed record FuzzTargets(string ServiceUrl, string PendingRequestId, long PendingRequestVersion, string IssuedRequestId,
    string PendingPlanId, long PendingPlanVersion);

/// <summary>
/// One generated input: the bytes posted to /api/messages, and what the bot may do with it. A case that must change
/// nothing is one the bot has to refuse (another tenant, a click by someone not allowed, a stale or unknown card,
/// a body that is no activity); <see cref="ReferencesToo"/> says that not even a conversation reference may be kept.
/// </summary>
public sealed record FuzzCase(string Label, byte[] Body, bool MustChangeNothing, bool ReferencesToo)
{
    public override string ToString()
    {
        var text = Encoding.UTF8.GetString(Body, 0, Math.Min(Body.Length, 800));
        return $"{Label} [{(MustChangeNothing ? "must change nothing" : "any outcome")}, {Body.Length} bytes] {text}{(Body.Length > 800 ? "…" : "")}";
    }
}

/// <summary>
/// Generators of Teams activities for /api/messages: valid-ish ones (messages, card clicks with real and random verbs
/// and data, installs, conversation updates) and the inputs the bot must refuse, each then mutated (wrong types,
/// missing fields, huge strings, unicode, deep nesting, arrays where objects go, numbers as strings, duplicate keys,
/// broken bytes). Mutations add noise, never authority: they do not turn a refused input into an allowed one.
/// </summary>
public static partial class ActivityFuzz
{
    public const string OtherTenant = "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d";

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly string[] Everyone =
    [
        Personas.Megan, Personas.Nestor, Personas.Adele, Personas.Alex, Personas.Patti, Personas.Lee, Personas.Isaiah, Personas.BreakGlass1,
        Personas.BreakGlass2, Personas.Diego, Personas.Lynne, Personas.Johanna, Personas.Pradeep, Personas.Grady, Personas.Irvin, Personas.Joni,
        Personas.Miriam, Personas.Enrico, Personas.Christie,
    ];

    /// <summary>Nobody here approves TAP requests for an ordinary user (the seeded pending request is Megan's, for Diego).</summary>
    private static readonly string[] NotTapApprovers =
    [
        Personas.Nestor, Personas.Patti, Personas.Lee, Personas.Isaiah, Personas.BreakGlass1, Personas.Diego, Personas.Lynne, Personas.Pradeep,
        Personas.Grady, Personas.Irvin, Personas.Joni, Personas.Miriam, Personas.Enrico, Personas.Christie, "0f0f0f0f-0000-4000-8000-00000000abcd",
    ];

    private static readonly string[] NotPolicyAdmins = [.. Everyone.Where(p => p != Personas.Patti && p != Personas.Lee)];

    private static readonly string[] Commands =
    [
        "help", "hi", "tap", "tap diego.siciliani@contoso.com", "request a TAP for lynne.robbins@contoso.com", "my requests", "pending",
        "policy", "policy status", "policy deploy", "policy promote A", "policy promote all because pilot done", "policy rollback B",
        "policy frobnicate", "audit", "audit 999", "<at>TeamsBot</at> help", "tap <a href=\"mailto:x@contoso.com\">x@contoso.com</a>",
    ];

    private static readonly string[] NearMissVerbs =
    [
        "tap.approve ", " tap.approve", "TAP.APPROVE", "tap.Approve", "tap.approve\u0000", "tap.appr\u200Bove", "tap", "policy", "tap.approve.x",
        "tap/approve", "policy.approve\n", "tap.revea1", "policy.APPROVE", "help.", "ｔａｐ.approve", "tap.reveal\u202E",
    ];

    private static readonly string[] RealVerbs =
    [
        TapVerbs.New, TapVerbs.Submit, ApprovalVerbs.Approve, ApprovalVerbs.Reject, TapVerbs.Reveal, TapVerbs.Hide, TapVerbs.Revoke, ApprovalVerbs.Cancel,
        TapVerbs.Mine, TapVerbs.Pending, ApprovalVerbs.Approve, ApprovalVerbs.Reject, ApprovalVerbs.Cancel, PolicyVerbs.Status, PolicyVerbs.Deploy,
        PolicyVerbs.Audit, "help",
    ];

    private static readonly string[] Unicode =
    [
        "𝓣𝓐𝓟 𝓯𝓸𝓻 𝓭𝓲𝓮𝓰𝓸", "\u202Eparcs tap", "ta\u200Bp", "tap\u0000", "ﾀｯﾌﾟ", "🔑🔑🔑", "Zalgo t̷̢a̶͙p̸̛", "مرحبا", "\uFEFFtap", "\r\n\t",
        "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd", "{{DATE(2026-01-01T00:00:00Z)}}", "${jndi:ldap://x}", "%00%0d%0a",
        "a0000000-0000-4000-8000-000000000003", "R-000000", "\\u0000", "null", "true", "0", "-1", "1e999",
    ];

    /// <summary>Raw JSON that a tree can't hold (lone surrogates, huge or odd numbers), spliced into the text.</summary>
    private static readonly string[] RawJson =
    [
        "\"\\uD800\"", "\"\\uDFFF\\uD800x\"", "1e999", "-0", "123456789012345678901234567890", "\"\\u0000\"", "NaN", "[1,,2]", "{\"a\":}", "\"\\x41\"",
        "1.0", "9223372036854775808", "-9223372036854775809", "\"\\\"", "{\"$ref\":\"#\"}", "tru", "\"\u0001\"",
    ];

    // ---------------------------------------------------------------- values

    private static readonly Gen<string> Text = Gen.Frequency(
        (4, Gen.String[Gen.Char.AlphaNumeric, 0, 24]),
        (3, Gen.OneOf(Unicode)),
        (1, Gen.String[Gen.Char, 0, 40]));

    private static readonly Gen<JsonNode?> Scalar = Gen.Frequency(
        (2, Gen.Const(() => (JsonNode?)null)),
        (1, Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b))),
        (2, Gen.Int[-3, 5].Select(i => (JsonNode?)JsonValue.Create(i))),
        (1, Gen.Long.Select(l => (JsonNode?)JsonValue.Create(l))),
        (1, Gen.Double.Where(double.IsFinite).Select(d => (JsonNode?)JsonValue.Create(d))),
        (4, Text.Select(s => (JsonNode?)JsonValue.Create(s))));

    private static readonly Gen<JsonNode?> Junk = Gen.Recursive<JsonNode?>((depth, inner) => depth >= 3
        ? Scalar
        : Gen.Frequency(
            (6, Scalar),
            (1, inner.Array[0, 4].Select(items => (JsonNode?)new JsonArray([.. items]))),
            (1, Gen.Select(Gen.String[Gen.Char.AlphaNumeric, 1, 8], inner).Array[0, 4]
                .Select(pairs => (JsonNode?)Object(pairs)))));

    private static JsonObject Object((string Key, JsonNode? Value)[] pairs)
    {
        var o = new JsonObject();
        foreach (var (key, value) in pairs) o[key] = value;
        return o;
    }

    // ---------------------------------------------------------------- mutations

    public enum Edit { Remove, Junk, WrapInArray, AsString, Huge, Unicode, Deep, DuplicateKey, Raw }

    public enum Bytes { None, Truncate, InvalidUtf8, Bom, FlipByte, Oversize }

    public sealed record Mutation(Edit Kind, int Where, JsonNode? Value, int Size);

    private static readonly Gen<Mutation> Mutations = Gen.Select(
        Gen.Frequency((3, Gen.Const(Edit.Remove)), (4, Gen.Const(Edit.Junk)), (2, Gen.Const(Edit.WrapInArray)), (2, Gen.Const(Edit.AsString)),
            (1, Gen.Const(Edit.Huge)), (2, Gen.Const(Edit.Unicode)), (1, Gen.Const(Edit.Deep)), (2, Gen.Const(Edit.DuplicateKey)),
            (1, Gen.Const(Edit.Raw))),
        Gen.Int[0, 10_000], Junk, Gen.Int[0, 1000],
        (kind, where, value, size) => new Mutation(kind, where, value, size));

    private static readonly Gen<Bytes> ByteMutations = Gen.Frequency(
        (40, Gen.Const(Bytes.None)), (2, Gen.Const(Bytes.Truncate)), (2, Gen.Const(Bytes.InvalidUtf8)), (1, Gen.Const(Bytes.Bom)),
        (2, Gen.Const(Bytes.FlipByte)), (1, Gen.Const(Bytes.Oversize)));

    /// <summary>A slot in the tree: a property of an object or an element of an array, with its dotted path.</summary>
    private sealed record Slot(JsonNode Parent, string? Key, int Index, string Path);

    private static List<Slot> Slots(JsonNode root)
    {
        var slots = new List<Slot>();
        Walk(root, "");
        return slots;

        void Walk(JsonNode? node, string path)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (key, child) in o.ToList())
                    {
                        var p = path.Length == 0 ? key : path + "." + key;
                        slots.Add(new Slot(o, key, -1, p));
                        Walk(child, p);
                    }
                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                    {
                        slots.Add(new Slot(a, null, i, $"{path}[{i}]"));
                        Walk(a[i], $"{path}[{i}]");
                    }
                    break;
            }
        }
    }

    private static void Apply(JsonObject root, Mutation m, Func<string, bool> isProtected, List<string> log)
    {
        var slots = Slots(root).Where(s => !isProtected(s.Path)).ToList();
        if (slots.Count == 0) return;
        var slot = slots[m.Where % slots.Count];
        var current = slot.Key is not null ? ((JsonObject)slot.Parent)[slot.Key] : ((JsonArray)slot.Parent)[slot.Index];
        log.Add($"{m.Kind} {slot.Path}");
        switch (m.Kind)
        {
            case Edit.Remove:
                if (slot.Key is not null) ((JsonObject)slot.Parent).Remove(slot.Key);
                else ((JsonArray)slot.Parent).RemoveAt(slot.Index);
                return;
            case Edit.DuplicateKey when slot.Key is not null:
                // The marker is cut out after serialisation, leaving the same key twice in one object.
                ((JsonObject)slot.Parent)["\u0001DUP\u0001" + slot.Key] = m.Value?.DeepClone();
                return;
        }
        JsonNode? replacement = m.Kind switch
        {
            Edit.Junk or Edit.DuplicateKey => m.Value?.DeepClone(),
            Edit.WrapInArray => new JsonArray(current?.DeepClone()),
            Edit.AsString => JsonValue.Create(current?.ToJsonString() ?? "null"),
            Edit.Huge => JsonValue.Create(new string("AÄ€<"[m.Size % 4], 1000 + m.Size * 300)),
            Edit.Unicode => JsonValue.Create(Unicode[m.Size % Unicode.Length] + (current is JsonValue v && v.TryGetValue(out string? s) ? s : "")),
            Edit.Deep => JsonValue.Create($"\u0002DEEP{10 + m.Size % 400}\u0002"),
            Edit.Raw => JsonValue.Create($"\u0002RAW{m.Size % RawJson.Length}\u0002"),
            _ => null,
        };
        if (slot.Key is not null) ((JsonObject)slot.Parent)[slot.Key] = replacement;
        else ((JsonArray)slot.Parent)[slot.Index] = replacement;
    }

    /// <summary>The activity as text, with the markers turned into duplicate keys, deep nesting and raw JSON.</summary>
    private static string Serialize(JsonObject activity)
    {
        var text = activity.ToJsonString(Relaxed);
        text = text.Replace("\\u0001DUP\\u0001", "", StringComparison.Ordinal);
        text = Marker().Replace(text, m =>
        {
            var n = int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (m.Groups[1].Value == "RAW") return RawJson[n];
            return n % 2 == 0 ? new string('[', n) + new string(']', n) : string.Concat(Enumerable.Repeat("{\"a\":", n)) + "1" + new string('}', n);
        });
        return text;
    }

    private static byte[] Damage(byte[] body, Bytes kind, int at, byte[] keep)
    {
        // The service URL stays whole: a damaged one points at a host that doesn't answer, and replies then wait on
        // retries (that is a connector outage, which the fault tests cover).
        var start = body.AsSpan().IndexOf(keep);
        if (start >= 0 && body.Length > keep.Length && at % body.Length >= start && at % body.Length < start + keep.Length)
            at = start + keep.Length;
        switch (kind)
        {
            case Bytes.Truncate when body.Length > 1:
                return body[..(at % body.Length)];
            case Bytes.InvalidUtf8 when body.Length > 1:
                var i = at % body.Length;
                return [.. body[..i], 0xFF, 0xC3, 0x28, .. body[i..]];
            case Bytes.Bom:
                return [0xEF, 0xBB, 0xBF, .. body];
            case Bytes.FlipByte when body.Length > 0:
                var copy = (byte[])body.Clone();
                copy[at % copy.Length] ^= (byte)(1 << (at % 8));
                return copy;
            case Bytes.Oversize:
                // Past Bot:MaxActivityBytes (512 KB): padding inside the text keeps it JSON.
                return Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("\"type\":", "\"padding\":\"" + new string(' ', 600 * 1024) + "\",\"type\":",
                    StringComparison.Ordinal));
            default:
                return body;
        }
    }

    [GeneratedRegex("\"\\\\u0002(DEEP|RAW)(\\d+)\\\\u0002\"")]
    private static partial Regex Marker();

    // ---------------------------------------------------------------- activities

    private sealed record Shape(string Label, JsonObject Activity, bool MustChangeNothing, bool ReferencesToo, Func<string, bool> Protected);

    private static readonly Func<string, bool> Nothing = _ => false;

    private static JsonObject Message(FuzzTargets t, string who, string text) =>
        Activities.Message(text, t.ServiceUrl, who, "Someone", "a:fuzz-" + who[^4..]);

    private static JsonObject Invoke(FuzzTargets t, string who, string verb, JsonObject data)
    {
        var activity = Activities.Invoke("verb", data, t.ServiceUrl, who, "Someone", "a:fuzz-" + who[^4..], "card-" + who[^4..]);
        activity["value"]!["action"]!["verb"] = verb; // set as a value: verbs may hold quotes and control characters
        return activity;
    }

    private static JsonObject ConversationUpdate(FuzzTargets t, string who, bool botAdded, string conversationType) => JsonNode.Parse($$"""
        {
          "type": "conversationUpdate", "id": "{{Guid.NewGuid():N}}", "channelId": "msteams", "serviceUrl": "{{t.ServiceUrl}}",
          "from": { "id": "29:{{who}}", "aadObjectId": "{{who}}" },
          "conversation": { "conversationType": "{{conversationType}}", "tenantId": "{{BotApp.TenantId}}", "id": "19:fuzz-{{who[^4..]}}@thread.tacv2" },
          "recipient": { "id": "28:{{BotApp.AppId}}", "name": "TeamsBot" },
          "membersAdded": [ { "id": "{{(botAdded ? "28:" + BotApp.AppId : "29:" + who)}}" } ],
          "channelData": { "tenant": { "id": "{{BotApp.TenantId}}" }, "channel": { "id": "19:fuzz@thread.tacv2" }, "eventType": "teamMemberAdded" }
        }
        """)!.AsObject();

    private static JsonObject TapData(string requestId, JsonNode? version) => new() { ["recordId"] = requestId, ["version"] = version };

    private static JsonObject PlanData(string planId, JsonNode? version) => new() { ["recordId"] = planId, ["version"] = version };

    private static JsonObject WithTenant(JsonObject activity, string conversationTenant, string? channelDataTenant)
    {
        activity["conversation"]!["tenantId"] = conversationTenant;
        if (channelDataTenant is null) activity["channelData"]!.AsObject().Remove("tenant");
        else activity["channelData"]!["tenant"] = new JsonObject { ["id"] = channelDataTenant };
        return activity;
    }

    /// <summary>Valid-ish activities anyone might send; the bot may act on them.</summary>
    private static Gen<Shape> Plausible(FuzzTargets t)
    {
        var who = Gen.OneOf(Everyone);
        var records = Gen.OneOf(
            Gen.Select(Gen.OneOf(t.PendingRequestId, t.IssuedRequestId), Gen.Int[-1, 4]).Select((id, v) => TapData(id, v)),
            Gen.Int[-1, 4].Select(v => PlanData(t.PendingPlanId, v)));
        var form = Gen.Select(Gen.OneOf("diego.siciliani@contoso.com", "johanna.lorenz@contoso.com", "grady.archie@contoso.com",
                "breakglass01@contoso.com", "joni.sherman_fabrikam.com#EXT#@contoso.com", "nobody@contoso.com", "not an upn", ""),
            Gen.OneOf("60", "120", "480", "481", "0", "-5", "abc", "", "1e3"),
            Gen.OneOf("2026-12-01", "2026-02-30", "yesterday", "", "9999-12-31"),
            Gen.OneOf("08:00", "25:61", "", "8am"),
            Text, Gen.OneOf("true", "false", "maybe"))
            .Select((upn, lifetime, date, time, reason, once) => new JsonObject
            {
                ["draftId"] = Guid.NewGuid().ToString("N"), ["userUpn"] = upn, ["lifetimeMinutes"] = lifetime, ["startDate"] = date,
                ["startTime"] = time, ["reason"] = reason, ["usableOnce"] = once,
            });
        var data = Gen.Frequency((3, records), (2, form), (1, Junk.Select(j => j as JsonObject ?? new JsonObject { ["x"] = j?.DeepClone() })));
        return Gen.Frequency(
            (4, Gen.Select(who, Gen.Frequency((3, Gen.OneOf(Commands)), (1, Text))).Select((w, text) =>
                new Shape("message", Message(t, w, text), false, false, Nothing))),
            (5, Gen.Select(who, Gen.OneOf(RealVerbs), data, Text).Select((w, verb, d, comment) =>
            {
                if (comment.Length > 0) d["comment"] = comment;
                return new Shape("invoke " + verb, Invoke(t, w, verb, d), false, false, Nothing);
            })),
            (1, Gen.Select(who, Gen.OneOf("add", "remove", "add-upgrade", "zap")).Select((w, action) =>
            {
                var install = Activities.Install(t.ServiceUrl, w, "Someone", "a:fuzz-" + w[^4..]);
                install["action"] = action;
                return new Shape("installationUpdate " + action, install, false, false, Nothing);
            })),
            (1, Gen.Select(who, Gen.Bool, Gen.OneOf("channel", "groupChat", "personal")).Select((w, bot, type) =>
                new Shape("conversationUpdate", ConversationUpdate(t, w, bot, type), false, false, Nothing))),
            (1, Gen.Select(who, Gen.OneOf("typing", "messageReaction", "event", "endOfConversation", "deleteUserData", "trace", "handoff", "Message"))
                .Select((w, type) =>
                {
                    var a = Message(t, w, "help");
                    a["type"] = type;
                    return new Shape("type " + type, a, false, false, Nothing);
                })));
    }

    /// <summary>Inputs the bot must refuse without changing anything.</summary>
    private static Gen<Shape> Refused(FuzzTargets t)
    {
        // The most dangerous clicks, done right, but from another tenant: nothing may happen.
        var powerful = Gen.OneOf(
            Gen.Const(() => Invoke(t, Personas.Adele, ApprovalVerbs.Approve, TapData(t.PendingRequestId, t.PendingRequestVersion))),
            Gen.Const(() => Invoke(t, Personas.Lee, ApprovalVerbs.Approve, PlanData(t.PendingPlanId, t.PendingPlanVersion))),
            Gen.Const(() => Invoke(t, Personas.Megan, TapVerbs.Revoke, TapData(t.IssuedRequestId, 3))),
            Gen.Const(() => Invoke(t, Personas.Megan, ApprovalVerbs.Cancel, TapData(t.PendingRequestId, t.PendingRequestVersion))),
            Gen.Const(() => Message(t, Personas.Patti, "policy deploy")),
            Gen.Const(() => Message(t, Personas.Patti, "policy rollback all")),
            Gen.Const(() => Activities.Install(t.ServiceUrl, Personas.Adele, "Adele Vance", "a:attacker")));
        var tenants = Gen.OneOf(
            Gen.Const((OtherTenant, (string?)OtherTenant)),
            Gen.Const((OtherTenant, (string?)BotApp.TenantId)),
            Gen.Const((" " + BotApp.TenantId, (string?)BotApp.TenantId)),
            Gen.Const(("{" + BotApp.TenantId + "}", (string?)null)),
            Gen.Const((BotApp.TenantId + "0", (string?)BotApp.TenantId)));
        var otherTenant = Gen.Select(powerful, tenants).Select((activity, tenant) =>
            new Shape("other tenant", WithTenant(activity, tenant.Item1, tenant.Item2), true, true,
                p => p == "conversation" || p.StartsWith("conversation.tenantId", StringComparison.Ordinal)));

        // Real card data, the current version, but clicked by someone the rules don't allow.
        var tapForged = Gen.Select(Gen.OneOf(NotTapApprovers), Gen.OneOf(ApprovalVerbs.Approve, ApprovalVerbs.Reject, TapVerbs.Revoke, ApprovalVerbs.Cancel,
                TapVerbs.Reveal, TapVerbs.Hide), Gen.OneOf(t.PendingRequestId, t.IssuedRequestId), Text)
            .Select((who, verb, id, comment) =>
            {
                var d = TapData(id, id == t.PendingRequestId ? t.PendingRequestVersion : 3);
                d["comment"] = comment.Length > 0 ? comment : "no";
                return new Shape($"{verb} by a non-approver", Invoke(t, who, verb, d), true, false, IdentityFields);
            });
        var ownRequest = Gen.OneOf(ApprovalVerbs.Approve, ApprovalVerbs.Reject).Select(verb =>
            new Shape($"{verb} of one's own request", Invoke(t, Personas.Megan, verb, new JsonObject
            {
                ["recordId"] = t.PendingRequestId, ["version"] = t.PendingRequestVersion, ["comment"] = "mine",
            }), true, false, IdentityFields));
        var planForged = Gen.Select(Gen.OneOf(NotPolicyAdmins), Gen.OneOf(ApprovalVerbs.Approve, ApprovalVerbs.Reject, ApprovalVerbs.Cancel,
                PolicyVerbs.Deploy))
            .Select((who, verb) => new Shape($"{verb} by a non-admin", Invoke(t, who, verb, new JsonObject
            {
                ["recordId"] = t.PendingPlanId, ["version"] = t.PendingPlanVersion, ["comment"] = "no",
            }), true, false, IdentityFields));
        var plannerSelf = Gen.OneOf(
            Gen.Const(() => Invoke(t, Personas.Patti, ApprovalVerbs.Approve, PlanData(t.PendingPlanId, t.PendingPlanVersion))),
            Gen.Const(() => Invoke(t, Personas.Patti, ApprovalVerbs.Reject, new JsonObject { ["recordId"] = t.PendingPlanId, ["version"] = 1, ["comment"] = "x" })),
            Gen.Const(() => Invoke(t, Personas.Lee, ApprovalVerbs.Cancel, PlanData(t.PendingPlanId, t.PendingPlanVersion))))
            .Select(activity => new Shape("plan action the rules refuse", activity, true, false, IdentityFields));

        // Approvers, but the card is stale, about something else, or already decided.
        Gen<JsonNode?> StaleVersions(long current) => Gen.OneOf(
            Gen.OneOf<JsonNode?>(current - 1, current + 1, 99, -1, long.MaxValue, current + 0.5, (current + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "abc", "", null),
            Gen.Long.Where(v => v != current).Select(v => (JsonNode?)v));
        var stale = Gen.Select(Gen.OneOf(Personas.Adele, Personas.Alex), Gen.OneOf(ApprovalVerbs.Approve, ApprovalVerbs.Reject), StaleVersions(t.PendingRequestVersion))
            .Select((who, verb, version) => new Shape("stale TAP decision", Invoke(t, who, verb, new JsonObject
            {
                ["recordId"] = t.PendingRequestId, ["version"] = version?.DeepClone(), ["comment"] = "late",
            }), true, false, VersionAndIdentity));
        var stalePlan = Gen.Select(Gen.OneOf(ApprovalVerbs.Approve, ApprovalVerbs.Reject), StaleVersions(t.PendingPlanVersion))
            .Select((verb, version) => new Shape("stale plan decision", Invoke(t, Personas.Lee, verb, new JsonObject
            {
                ["recordId"] = t.PendingPlanId, ["version"] = version?.DeepClone(), ["comment"] = "late",
            }), true, false, VersionAndIdentity));
        var decided = Gen.Select(Gen.OneOf(Personas.Adele, Personas.Alex), Gen.OneOf(ApprovalVerbs.Approve, ApprovalVerbs.Reject), Gen.Int[0, 4])
            .Select((who, verb, version) => new Shape("decision on a decided request", Invoke(t, who, verb, new JsonObject
            {
                ["recordId"] = t.IssuedRequestId, ["version"] = version, ["comment"] = "again",
            }), true, false, IdentityFields));
        var wrongIds = Gen.Select(Gen.OneOf(
                    t.PendingRequestId[..^1] + (t.PendingRequestId[^1] == 'a' ? 'b' : 'a'), t.PendingPlanId, t.PendingRequestId.ToUpperInvariant() + " ",
                    new string('7', 65), "../approvals/" + t.PendingRequestId, "", "' OR '1'='1", t.PendingRequestId + "\u0000"),
                Gen.Bool)
            .Select((id, tap) => tap
                ? new Shape("TAP approval of a record that isn't one", Invoke(t, Personas.Adele, ApprovalVerbs.Approve, TapData(id, t.PendingRequestVersion)), true, false, IdentityAndIds)
                : new Shape("plan approval of a record that isn't one", Invoke(t, Personas.Lee, ApprovalVerbs.Approve,
                    PlanData(id == t.PendingPlanId ? t.PendingRequestId : id, t.PendingPlanVersion)), true, false, IdentityAndIds));

        // Not a verb this bot knows, or not an Action.Execute at all.
        var unknownVerb = Gen.Select(Gen.OneOf(Personas.Adele, Personas.Lee, Personas.Megan), Gen.Frequency(
                (2, Gen.OneOf(NearMissVerbs)), (1, Gen.String[Gen.Char.AlphaNumeric, 1, 16])))
            .Select((who, verb) => new Shape("unknown verb", Invoke(t, who, verb, who == Personas.Lee
                ? PlanData(t.PendingPlanId, t.PendingPlanVersion)
                : TapData(who == Personas.Megan ? t.IssuedRequestId : t.PendingRequestId, who == Personas.Megan ? 3 : t.PendingRequestVersion)), true, false, VerbAndIdentity));
        var notExecute = Gen.OneOf("adaptiveCard/Action", "task/fetch", "composeExtension/query", "signin/verifyState", "", "ADAPTIVECARD/ACTION")
            .Select(name =>
            {
                var a = Invoke(t, Personas.Adele, ApprovalVerbs.Approve, TapData(t.PendingRequestId, t.PendingRequestVersion));
                a["name"] = name;
                return new Shape("invoke " + (name.Length == 0 ? "without a name" : name), a, true, false, p => p == "name" || IdentityFields(p));
            });
        var notAction = Gen.OneOf<JsonNode?>("Action.Submit", "Action.Http", "action.execute", null, 5)
            .Select(type =>
            {
                var a = Invoke(t, Personas.Adele, ApprovalVerbs.Approve, TapData(t.PendingRequestId, t.PendingRequestVersion));
                a["value"]!["action"]!["type"] = type?.DeepClone();
                return new Shape("not an Action.Execute", a, true, false, p => p.StartsWith("value.action.type", StringComparison.Ordinal) || IdentityFields(p));
            });

        // Bodies that are no activity.
        var garbage = Gen.Frequency(
            (2, Gen.Byte.Array[0, 300].Select(b => new Shape("random bytes", RawBody(b), true, true, Nothing))),
            (2, Junk.Select(j => new Shape("a JSON value that is no activity", RawBody(Encoding.UTF8.GetBytes(j is JsonObject o && o["type"] is not null
                ? "[]" : j?.ToJsonString(Relaxed) ?? "null")), true, true, Nothing))),
            (1, Gen.OneOf("", "{}", "{\"type\":\"\"}", "{\"type\":null}", "[{\"type\":\"message\"}]", "{\"type\":[\"message\"]}", "\"message\"",
                "{\"type\":\"message\"", "{\"type\":\"message\",\"conversation\":{\"id\":\"a:x\"}}", "{\"type\":\"invoke\",\"serviceUrl\":\"x\"}")
                .Select(s => new Shape("malformed", RawBody(Encoding.UTF8.GetBytes(s)), true, true, Nothing))));

        return Gen.Frequency(
            (4, otherTenant), (3, tapForged), (1, ownRequest), (2, planForged), (1, plannerSelf), (2, stale), (1, stalePlan), (1, decided),
            (2, wrongIds), (2, unknownVerb), (1, notExecute), (1, notAction), (2, garbage));
    }

    /// <summary>A body kept as raw bytes: it passes through the activity-shaped mutations untouched.</summary>
    private static JsonObject RawBody(byte[] bytes) => new() { ["\u0003raw"] = Convert.ToBase64String(bytes) };

    // A click's identity and target stay as generated: noise elsewhere must not make it allowed.
    private static bool IdentityFields(string path) => path is "from" or "from.aadObjectId";
    private static bool VersionAndIdentity(string path) => IdentityFields(path) || path is "value" or "value.action" or "value.action.data" or "value.action.data.version";
    private static bool IdentityAndIds(string path) => IdentityFields(path) || path is "value" or "value.action" or "value.action.data"
        or "value.action.data.requestId" or "value.action.data.planId";
    private static bool VerbAndIdentity(string path) => IdentityFields(path) || path is "value" or "value.action" or "value.action.verb";

    private static FuzzCase Build(Shape shape, Mutation[] mutations, Bytes damage, int at, string serviceUrl)
    {
        byte[] body;
        var label = shape.Label;
        if (shape.Activity["\u0003raw"] is JsonValue raw)
        {
            body = Convert.FromBase64String(raw.GetValue<string>());
        }
        else
        {
            var log = new List<string>();
            foreach (var m in mutations) Apply(shape.Activity, m, shape.Protected, log);
            body = Encoding.UTF8.GetBytes(Serialize(shape.Activity));
            if (log.Count > 0) label += " + " + string.Join(", ", log);
        }
        // Broken bytes only where nothing rides on them: a flipped bit could turn Nestor's id into Adele's.
        if (damage != Bytes.None && !shape.MustChangeNothing)
        {
            body = Damage(body, damage, at, Encoding.UTF8.GetBytes(serviceUrl));
            label += " + bytes " + damage;
        }
        return new FuzzCase(label, body, shape.MustChangeNothing, shape.ReferencesToo);
    }

    private static Gen<FuzzCase> Mutated(Gen<Shape> shapes, FuzzTargets t) =>
        Gen.Select(shapes, Gen.Frequency((3, Mutations.Array[0, 0]), (4, Mutations.Array[1, 2]), (2, Mutations.Array[3, 5])), ByteMutations, Gen.Int[0, int.MaxValue])
            .Select((shape, mutations, damage, at) => Build(shape, mutations, damage, at, t.ServiceUrl));

    /// <summary>Everything: plausible activities and refused ones, mutated.</summary>
    public static Gen<FuzzCase> Any(FuzzTargets t) => Mutated(Gen.Frequency((3, Plausible(t)), (2, Refused(t))), t);

    /// <summary>Only what the bot must refuse, mutated.</summary>
    public static Gen<FuzzCase> MustRefuse(FuzzTargets t) => Mutated(Refused(t), t);
}
