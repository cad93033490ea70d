using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TeamsBot.Access;
using TeamsBot.Approvals;
using TeamsBot.Directory;
using TeamsBot.Help;
using TeamsBot.Policies;
using TeamsBot.Storage;
using TeamsBot.Tests.Infrastructure;
using TeamsBot.Tap;

namespace TeamsBot.Tests.Cards;

/// <summary>Every card the bot can send, drawn by the bot's own card builders from sample records of the seed personas.</summary>
public static class CardSamples
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    public static IEnumerable<(string Name, JsonObject Card)> All(IServiceProvider services) =>
        Tap(services.GetRequiredService<TapCards>())
            .Concat(TapBatch(services.GetRequiredService<TapBatchCards>()))
            .Concat(Policy(services.GetRequiredService<PolicyCards>()))
            .Concat(Help(services.GetRequiredService<HelpFeature>()));

    public static IEnumerable<(string Name, JsonObject Card)> Tap(TapCards cards)
    {
        var policy = new TapPolicy(true, 60, 60, 480, 8, false, [new("group", "all_users")], []);
        var reports = new[]
        {
            new DirectoryUser(Personas.Diego, "diego.siciliani@contoso.com", "Diego Siciliani", null, "Sales", "Account Executive", UserKind.Member, true, Now.AddDays(7)),
            new DirectoryUser(Personas.Johanna, "johanna.lorenz@contoso.com", "Johanna Lorenz", null, "Sales", "Sales Lead", UserKind.Member, true, null),
        };
        var values = new TapFormValues(null, null, null, null, 60, true, null);
        yield return ("tap-form", cards.Form(new TapForm(reports, policy, values, "draft-1", [])));
        yield return ("tap-form-problems", cards.Form(new TapForm([], policy with { IsUsableOnce = true }, values with { OtherUpn = "x@contoso.com" }, "draft-1",
            ["You can request a pass only for your own direct reports.", "Give a reason for the request."])));

        var request = new TapRequest(Personas.Diego, "diego.siciliani@contoso.com", "Diego Siciliani", "Sales", "Account Executive", Now.AddDays(7),
            ["microsoftAuthenticator"], Now.AddDays(7), 480, true, "First day on Monday", "b0000000-0000-4000-8000-000000000001", false);
        var pending = new ApprovalRecord("0638999999999999999-abcdef12", TapRequest.Kind, ApprovalState.Pending, 1,
            new Person(Personas.Megan, "Megan Bowen"), Now, Now.AddDays(1), Now, request.ToJson());
        var decision = new ApprovalDecision(new Person(Personas.Adele, "Adele Vance"), Now.AddMinutes(5), true, null);
        var issued = pending with { State = ApprovalState.Completed, Version = 3, Decision = decision,
            Subject = (request with { MethodId = "6c1d2e3f-0000-4000-8000-000000000001", IssuedAt = Now.AddMinutes(6), PassesCreated = 1 }).ToJson() };
        var privileged = pending.WithTap(request with { Privileged = true, TargetRoles = ["User Administrator"] });
        yield return ("tap-form-file-anyway", cards.Form(new TapForm(reports, policy, values with { OtherUpn = "diego.siciliani@contoso.com" }, "draft-1",
            ["A pass for Diego Siciliani can't be used to register security information:", "From an untrusted network: 'Block Diego' blocks registering security information."],
            OfferFileAnyway: true)));
        yield return ("tap-approver-will-work", cards.ForApprovers(pending.WithTap(request with { Outlook = new TapOutlook(TapOutlookVerdict.Works,
            ["From an untrusted network: 'Combined Security Info Registration with TAP' requires MFA, which the pass satisfies."]) }), false));
        yield return ("tap-approver-caution", cards.ForApprovers(pending.WithTap(request with { Outlook = new TapOutlook(TapOutlookVerdict.Caution,
            ["Diego Siciliani already has Microsoft Authenticator: with it they can sign in and add methods without a pass, unless it is lost."]) }), false));
        yield return ("tap-approver-cannot-filed-anyway", cards.ForApprovers(pending.WithTap(request with { Outlook = new TapOutlook(TapOutlookVerdict.Cannot,
            ["From an untrusted network: 'Block Diego' blocks registering security information."], FiledAnyway: true) }), false));
        yield return ("tap-approver-pending", cards.ForApprovers(pending, false));
        yield return ("tap-approver-privileged", cards.ForApprovers(privileged, false));
        yield return ("tap-channel-pending", cards.ForApprovers(pending, true));
        yield return ("tap-approver-completed", cards.ForApprovers(issued, false));
        yield return ("tap-requester-pending", cards.Requester(pending));
        yield return ("tap-requester-ready", cards.Requester(issued, "Approved by Adele Vance."));
        yield return ("tap-requester-rejected", cards.Requester(pending with { State = ApprovalState.Rejected, Decision = decision with { Approved = false, Comment = "Wrong person" } }));
        yield return ("tap-requester-failed", cards.Requester(pending with { State = ApprovalState.Failed, Decision = decision, Outcome = "Microsoft Graph is unavailable." }));
        yield return ("tap-revealed", cards.Revealed(issued, "Ab3$kL9p"));
        var registered = issued.WithTap(issued.Tap() with { RegisteredMethod = "microsoftAuthenticator", RegisteredAt = Now.AddDays(7).AddHours(1),
            PassDeletedAt = Now.AddDays(7).AddHours(1), RegistrationTold = true });
        var expiredUnused = issued.WithTap(issued.Tap() with { ExpiredUnusedAt = Now.AddDays(8) });
        yield return ("tap-requester-registered", cards.Requester(registered));
        yield return ("tap-approver-registered", cards.ForApprovers(registered, false));
        yield return ("tap-requester-expired-unused", cards.Requester(expiredUnused));
        yield return ("tap-notice-registered", cards.RegistrationNotice(registered, forRequester: true));
        yield return ("tap-notice-registered-approver", cards.RegistrationNotice(registered, forRequester: false));
        yield return ("tap-notice-reminder", cards.ExpiryReminder(issued));
        yield return ("tap-notice-expired-unused", cards.ExpiredUnusedNotice(expiredUnused));
        yield return ("tap-list", cards.List("Your TAP requests", [pending, issued], "You have no requests.", forApprover: false));
        yield return ("tap-list-empty", cards.List("Pending approvals", [], "Nothing waits for you.", forApprover: true));
    }

    public static IEnumerable<(string Name, JsonObject Card)> TapBatch(TapBatchCards cards)
    {
        var policy = new TapPolicy(true, 60, 60, 480, 8, false, [new("group", "all_users")], []);
        var reports = new[]
        {
            new DirectoryUser("u21", "aiko.tanaka@contoso.com", "Aiko Tanaka", null, "Sales", null, UserKind.Member, true, Now.AddDays(3)),
            new DirectoryUser("u22", "bruno.costa@contoso.com", "Bruno Costa", null, "Sales", null, UserKind.Member, true, Now.AddDays(3)),
        };
        yield return ("tap-batch-pick", cards.Pick(new TapBatchPick(reports, "draft-1")));
        yield return ("tap-batch-pick-empty", cards.Pick(new TapBatchPick([], "draft-1", "Pick at least two people (for one, type **tap**).")));
        var rows = new[] { new TapBatchRow("u21", "Aiko Tanaka (aiko.tanaka@contoso.com)", Now.AddDays(3)), new TapBatchRow("x@contoso.com", "x@contoso.com", null, "2026-12-01") };
        yield return ("tap-batch-form", cards.Form(new TapBatchForm(rows, policy, new TapBatchValues(60, true, null, false), "draft-1", [])));
        yield return ("tap-batch-form-problems", cards.Form(new TapBatchForm(rows, policy with { IsUsableOnce = true }, new TapBatchValues(60, true, "Onboarding", true), "draft-1",
            ["Nobody in the list can get a pass:", "x@contoso.com: I can't find **x@contoso.com** in the directory."])));

        TapRequest Request(string id, string upn, string name, TapOutlook? outlook = null) =>
            new(id, upn, name, "Sales", null, Now.AddDays(3), [], Now.AddDays(3), 480, true, "Onboarding week", "g1", false, Outlook: outlook);
        var batch = new TapBatch(
        [
            new TapBatchHire("u21", "Aiko Tanaka", Request("u21", "aiko.tanaka@contoso.com", "Aiko Tanaka", new TapOutlook(TapOutlookVerdict.Works, ["From an untrusted network: no Conditional Access policy asks for more than the pass."])), []),
            new TapBatchHire("u22", "Bruno Costa", Request("u22", "bruno.costa@contoso.com", "Bruno Costa", new TapOutlook(TapOutlookVerdict.Caution, ["So Bruno Costa can register with the pass only from a trusted network (Contoso HQ)."])), []),
            new TapBatchHire("u23", "Chen Wei", Request("u23", "chen.wei@contoso.com", "Chen Wei", new TapOutlook(TapOutlookVerdict.Cannot, ["From an untrusted network: 'Block' blocks registering security information."], FiledAnyway: true)), []),
            new TapBatchHire("diego.siciliani@contoso.com", "Diego Siciliani", null, ["You can request a pass only for your own direct reports, and Entra ID doesn't list you as Diego Siciliani's manager."]),
        ], 480, true, "Onboarding week", "g1");
        var pending = new ApprovalRecord("0638999999999999999-abcdef12", global::TeamsBot.Tap.TapBatch.Kind, ApprovalState.Pending, 1,
            new Person("h1", "Henrietta Mueller"), Now, Now.AddDays(1), Now, batch.ToJson());
        var completed = pending with { State = ApprovalState.Completed, Version = 4, Decision = new ApprovalDecision(new Person("a1", "Adele Vance"), Now.AddMinutes(5), true, null) };
        yield return ("tap-batch-approver-pending", cards.Render(pending, Audiences.Approver));
        yield return ("tap-batch-channel-pending", cards.Render(pending, Audiences.Channel));
        yield return ("tap-batch-requester-pending", cards.Render(pending, Audiences.Requester, "Filed for 3 of 4 people. I've asked the approvers."));
        yield return ("tap-batch-requester-completed", cards.Render(completed, Audiences.Requester));
        yield return ("tap-batch-approver-completed", cards.Render(completed, Audiences.Approver));
    }

    /// <summary>The seed's break-glass accounts and group, as the bot is configured in the tests.</summary>
    private static readonly BreakGlassOptions BreakGlass = new()
    {
        UserIds = [Personas.BreakGlass1, Personas.BreakGlass2],
        GroupId = "b0000000-0000-4000-8000-000000000004",
    };

    private static readonly Dictionary<string, string> Names = new()
    {
        [Personas.BreakGlass1] = "Emergency Access 1 (ea1@contoso.com)",
        [Personas.BreakGlass2] = "Emergency Access 2 (ea2@contoso.com)",
        ["b0000000-0000-4000-8000-000000000004"] = "Emergency Access Accounts (group)",
    };

    public static IEnumerable<(string Name, JsonObject Card)> Policy(PolicyCards cards)
    {
        var templates = new RegistrationPolicies(Options.Create(BreakGlass), Options.Create(new PolicyOptions()));
        var policy = templates.Render(PolicyKey.A);
        var plan = new PolicyPlan(PolicyPlan.Deploy,
        [
            new PlanStep(PolicyKey.A, PlanOperations.Create, [new FieldChange("policy", "created in report-only", null)], policy, null),
            new PlanStep(PolicyKey.B, PlanOperations.Update, [new FieldChange("conditions.locations.excludeLocations", "[\"AllTrusted\"]", null),
                new FieldChange("conditions.users.excludeUsers", $"[\"{Personas.BreakGlass1}\"]", null)],
                new JsonObject(), "5c0a1d2e-0000-4000-8000-0000000000b0"),
        ], Names: Names);
        var record = new ApprovalRecord("0638999999999999999-abcdef12", PolicyPlan.Kind, ApprovalState.Pending, 1, new Person(Personas.Patti, "Patti Fernandez"),
            Now, Now.AddDays(1), Now, plan.ToJson());
        yield return ("policy-plan-approver", cards.PlanCard(record, Audiences.Approver));
        yield return ("policy-plan-requester", cards.PlanCard(record, Audiences.Requester));
        yield return ("policy-plan-applied", cards.PlanCard(record with { State = ApprovalState.Completed, Outcome = "Both policies are in place.",
            Decision = new ApprovalDecision(new Person(Personas.Lee, "Lee Gu"), Now, true, null),
            Subject = (plan with { Steps = [plan.Steps[0] with { Done = true, Result = "created in report-only (id 5c0a1d2e-0000-4000-8000-0000000000a0)" }, plan.Steps[1]] }).ToJson() },
            Audiences.Approver));
        var view = new PolicyView(PolicyKey.A, new PolicyDeployment(PolicyKey.A, "5c0a1d2e-0000-4000-8000-0000000000a0", RegistrationPolicies.ReportOnly, Now, "Patti", Now, null),
            new CaPolicyDocument("5c0a1d2e-0000-4000-8000-0000000000a0", "A", RegistrationPolicies.ReportOnly, Now, Now, policy),
            [new FieldChange("grantControls.builtInControls", "[\"mfa\"]", "[\"block\"]")]);
        var snapshot = new TenantSnapshot([view, view with { Key = PolicyKey.B, Live = null, Record = null, Drift = [] }],
            [new NamedLocation("9b000000-0000-4000-8000-000000000001", "HQ", "ip", true, ["203.0.113.0/24"], [])],
            new TapPolicy(true, 60, 60, 480, 8, false, [new("group", "all_users")], []));
        var status = new PolicyStatus(snapshot,
            [new Precondition("A trusted named location exists", true, "HQ"), new Precondition("Break-glass accounts are configured", false, "Set it.")],
            [new WhatIfCell("You", "Untrusted network", "MFA required (report-only: not enforced yet)", "MFA required"),
             new WhatIfCell("Break-glass", "Untrusted network", "MFA required", "Not applied")],
            new Dictionary<PolicyKey, SignInTally> { [PolicyKey.A] = new(0, new Dictionary<string, int>(), true, null) }, null);
        yield return ("policy-status", cards.Status(status));
        yield return ("policy-drift", cards.Drift([view], null, Names));
        yield return ("policy-audit", cards.Audit(new AuditPage(
        [
            new AuditEntry(Now, "policy.deploy-planned", Personas.Patti, "Patti Fernandez", "Policy A, B", "pending",
                "R-ABCDEF; A:create::policy=->created in report-only;B:create::policy=->created in report-only"),
            new AuditEntry(Now, "policy.create", Personas.Lee, "Lee Gu", "Policy A", "applied", "R-ABCDEF; created in report-only (id 5c0a1d2e-0000-4000-8000-0000000000a0)"),
            new AuditEntry(Now, "tap.requested", Personas.Megan, "Megan Bowen", "diego.siciliani@contoso.com", "pending", "R-4F2A9C; starts 2026-12-02T08:00:00.0000000+00:00; 480 min; one-time; reason: First day"),
            new AuditEntry(Now, "tap.approved", Personas.Adele, "Adele Vance", "diego.siciliani@contoso.com", "approved", "R-4F2A9C"),
            new AuditEntry(Now, "tap.issued", "bot", "TeamsBot", "diego.siciliani@contoso.com", "issued", "R-4F2A9C; method 6c1d2e3f-0000-4000-8000-000000000001; valid 2026-12-02T08:00:00.0000000+00:00 for 480 min"),
            new AuditEntry(Now, "policy.drift", "bot", "TeamsBot", "Policy A", "drift", "grantControls.builtInControls=[\"block\"]"),
        ], "0639000000000000000-abcdef12")));
        yield return ("policy-status-locations", cards.Status(status with
        {
            TrustedLocations =
            [
                new TrustedLocationFinding("Contoso HQ", "203.0.113.0/24", "marked as trusted", []),
                new TrustedLocationFinding("Everywhere", "0.0.0.0/0", "marked as trusted", ["0.0.0.0/0 trusts every IPv4 address"]),
                new TrustedLocationFinding("Home country", "countries NL", "excluded by policy A", ["a country is guessed from the IP address"]),
            ],
        }));
        var drifted = view with { Record = view.Record! with { Accepted = new DriftAcceptance("sig", Now.AddDays(-1), "Pilot group", "Patti Fernandez, approved by Lee Gu", "R-ABCDEF") } };
        yield return ("policy-drift-changed-by", cards.Drift([drifted], new Dictionary<PolicyKey, DriftNews>
        {
            [PolicyKey.A] = new([new PolicyChange(Now.AddHours(-2), "Update conditional access policy", "Isaiah Langer", "isaiah.langer@contoso.com", null, null, false)],
                null, drifted.Record!.Accepted),
        }, Names));
        yield return ("policy-history", cards.History(PolicyKey.A,
        [
            new PolicyVersion(PolicyKey.A, 2, "5c0a1d2e-0000-4000-8000-0000000000a0", Now.AddDays(8), "Patti Fernandez, approved by Lee Gu", "turned On", "R-ABCDEF", policy),
            new PolicyVersion(PolicyKey.A, 1, "5c0a1d2e-0000-4000-8000-0000000000a0", Now, "Patti Fernandez, approved by Lee Gu", "created", "R-123456", policy),
        ]));
        yield return ("policy-history-empty", cards.History(PolicyKey.B, []));
        yield return ("policy-message", cards.Message("Nothing to do", ["Both policies match their templates."]));
        var grantPlan = plan with
        {
            Notes = ["Policy A's grant outside trusted locations: all of: MFA, a compliant device."],
            Warnings = ["Policy A requires all of its controls, a compliant device among them: a Temporary Access Pass covers MFA only, so new hires on a new device (not yet enrolled) can't register security info outside trusted locations."],
        };
        yield return ("policy-plan-grant-warning", cards.PlanCard(record.WithPlan(grantPlan), Audiences.Approver));
        var effectsPlan = plan with
        {
            Effects =
            [
                new PlanEffect("A member (a new hire with a TAP)", "Trusted network", "Not applied", "Not applied"),
                new PlanEffect("A member (a new hire with a TAP)", "Untrusted network", "MFA required (report-only)", "MFA required"),
                new PlanEffect("A guest", "Trusted network", "Not applied", "Not applied"),
                new PlanEffect("A guest", "Untrusted network", "Blocked (report-only)", "Blocked (report-only)"),
                new PlanEffect("Break-glass", "Trusted network", "Not applied", "Not applied"),
                new PlanEffect("Break-glass", "Untrusted network", "Not applied", "Can't tell (the policy names locations)"),
            ],
        };
        yield return ("policy-plan-effects", cards.PlanCard(record.WithPlan(effectsPlan), Audiences.Requester));
    }

    public static IEnumerable<(string Name, JsonObject Card)> Help(HelpFeature help)
    {
        yield return ("help-everything", help.Render(new CallerRoles(
            new HashSet<string> { TapRoles.Approver, TapRoles.PrivilegedApprover, TapRoles.Requester, PolicyRoles.Admin }, true)));
        yield return ("help-manager", help.Render(new CallerRoles(new HashSet<string>(), true)));
        yield return ("help-no-role", help.Render(new CallerRoles(new HashSet<string>(), false)));
    }
}
