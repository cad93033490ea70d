using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using TeamsBot.Access;
using TeamsBot.Approvals;
using TeamsBot.Directory;
using TeamsBot.Help;
using TeamsBot.Policies;
using TeamsBot.Storage;
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
            new DirectoryUser("u1", "diego.siciliani@contoso.com", "Diego Siciliani", null, "Sales", "Account Executive", UserKind.Member, true, Now.AddDays(7)),
            new DirectoryUser("u2", "johanna.lorenz@contoso.com", "Johanna Lorenz", null, "Sales", "Sales Lead", UserKind.Member, true, null),
        };
        var values = new TapFormValues(null, null, null, null, 60, true, null);
        yield return ("tap-form", cards.Form(new TapForm(reports, policy, values, "draft-1", [])));
        yield return ("tap-form-problems", cards.Form(new TapForm([], policy with { IsUsableOnce = true }, values with { OtherUpn = "x@contoso.com" }, "draft-1",
            ["You can request a pass only for your own direct reports.", "Give a reason for the request."])));

        var request = new TapRequest("u1", "diego.siciliani@contoso.com", "Diego Siciliani", "Sales", "Account Executive", Now.AddDays(7),
            ["microsoftAuthenticator"], Now.AddDays(7), 480, true, "First day on Monday", "g1", false);
        var pending = new ApprovalRecord("0638999999999999999-abcdef12", TapRequest.Kind, ApprovalState.Pending, 1,
            new Person("m1", "Megan Bowen"), Now, Now.AddDays(1), Now, request.ToJson());
        var decision = new ApprovalDecision(new Person("a1", "Adele Vance"), Now.AddMinutes(5), true, null);
        var issued = pending with { State = ApprovalState.Completed, Version = 3, Decision = decision,
            Subject = (request with { MethodId = "m-1", IssuedAt = Now.AddMinutes(6), PassesCreated = 1 }).ToJson() };
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

    public static IEnumerable<(string Name, JsonObject Card)> Policy(PolicyCards cards)
    {
        var policy = RegistrationPolicies.Template(PolicyKey.A);
        var plan = new PolicyPlan(PolicyPlan.Deploy,
        [
            new PlanStep(PolicyKey.A, PlanOperations.Create, [new FieldChange("policy", "created in report-only", null)], policy, null),
            new PlanStep(PolicyKey.B, PlanOperations.Update, [new FieldChange("conditions.locations.excludeLocations", "[\"AllTrusted\"]", null)],
                new JsonObject(), "p-b"),
        ]);
        var record = new ApprovalRecord("0638999999999999999-abcdef12", PolicyPlan.Kind, ApprovalState.Pending, 1, new Person("p1", "Patti Fernandez"),
            Now, Now.AddDays(1), Now, plan.ToJson());
        yield return ("policy-plan-approver", cards.PlanCard(record, Audiences.Approver));
        yield return ("policy-plan-requester", cards.PlanCard(record, Audiences.Requester));
        yield return ("policy-plan-applied", cards.PlanCard(record with { State = ApprovalState.Completed, Outcome = "Both policies are in place.",
            Decision = new ApprovalDecision(new Person("p2", "Lee Gu"), Now, true, null) }, Audiences.Approver));
        var view = new PolicyView(PolicyKey.A, new PolicyDeployment(PolicyKey.A, "p-a", RegistrationPolicies.ReportOnly, Now, "Patti", Now, null),
            new CaPolicyDocument("p-a", "A", RegistrationPolicies.ReportOnly, Now, Now, policy),
            [new FieldChange("grantControls.builtInControls", "[\"mfa\"]", "[\"block\"]")]);
        var snapshot = new TenantSnapshot([view, view with { Key = PolicyKey.B, Live = null, Record = null, Drift = [] }],
            [new NamedLocation("l1", "HQ", "ip", true, ["203.0.113.0/24"], [])],
            new TapPolicy(true, 60, 60, 480, 8, false, [new("group", "all_users")], []));
        var status = new PolicyStatus(snapshot,
            [new Precondition("A trusted named location exists", true, "HQ"), new Precondition("Break-glass accounts are configured", false, "Set it.")],
            [new WhatIfCell("You", "Untrusted network", "MFA required (report-only: not enforced yet)", "MFA required"),
             new WhatIfCell("Break-glass", "Untrusted network", "MFA required", "Not applied")],
            new Dictionary<PolicyKey, SignInTally> { [PolicyKey.A] = new(0, new Dictionary<string, int>(), true, null) }, null);
        yield return ("policy-status", cards.Status(status));
        yield return ("policy-drift", cards.Drift([view]));
        yield return ("policy-audit", cards.Audit([new AuditEntry(Now, "policy.deployed", "p1", "Patti Fernandez", "Policy A", "created", "R-ABCDEF")]));
        yield return ("policy-message", cards.Message("Nothing to do", ["Both policies match their templates."]));
    }

    public static IEnumerable<(string Name, JsonObject Card)> Help(HelpFeature help)
    {
        yield return ("help-everything", help.Render(new CallerRoles(
            new HashSet<string> { TapRoles.Approver, TapRoles.PrivilegedApprover, TapRoles.Requester, PolicyRoles.Admin }, true)));
        yield return ("help-manager", help.Render(new CallerRoles(new HashSet<string>(), true)));
        yield return ("help-no-role", help.Render(new CallerRoles(new HashSet<string>(), false)));
    }
}
