using TeamsBot.Access;
using TeamsBot.Approvals;
using TeamsBot.Cards;
using TeamsBot.Help;
using TeamsBot.Protocol;
using TeamsBot.Protocol.Routing;

namespace TeamsBot.Policies;

/// <summary>The policy admins' commands and card verbs; the admin check runs on every one of them.</summary>
public sealed class PolicyFeature(PolicyAdministration admin, PolicyCards cards, InvokeBudget budget) : IBotFeature, IHelpContributor
{
    private const string Usage = "Use **policy status**, **policy deploy**, **policy promote A|B|all**, **policy rollback A|B|all** or " +
        "**policy accept A|B through yyyy-mm-dd because <reason>**, **policy history A|B** or **policy restore A|B vN**.";

    public void Map(BotRoutes routes)
    {
        routes
            .OnCommand(@"^policy(?:\s+status)?$", AdminOnly(async (turn, _, ct) => await turn.SendCardAsync(await StatusAsync(turn, ct), ct)))
            .OnCommand(@"^policy\s+deploy$", AdminOnly(async (turn, _, ct) =>
                await SendPlanAsync(turn, await admin.PlanDeployAsync(Actor(turn), null, ct), ct)))
            .OnCommand(@"^policy\s+promote(?:\s+(?<which>\S+))?(?:\s+because\s+(?<reason>.+))?$", AdminOnly(async (turn, m, ct) =>
            {
                var keys = RegistrationPolicies.Parse(m.Groups["which"].Value);
                if (keys.Count == 0) await turn.SendTextAsync("Which policy? " + Usage, ct);
                else await SendPlanAsync(turn, await admin.PlanPromoteAsync(Actor(turn), keys, m.Groups["reason"].Success ? m.Groups["reason"].Value : null, null, ct), ct);
            }))
            .OnCommand(@"^policy\s+roll\s?back(?:\s+(?<which>\S+))?$", AdminOnly(async (turn, m, ct) =>
            {
                var keys = RegistrationPolicies.Parse(m.Groups["which"].Value);
                if (keys.Count == 0)
                {
                    await turn.SendTextAsync("Which policy? " + Usage, ct);
                    return;
                }
                var lines = await admin.RollbackAsync(Actor(turn), keys, ct);
                await turn.SendCardAsync(cards.Message("Rollback", lines.Select(l => l.Text), problem: lines.Any(l => l.Failed)), ct);
            }))
            .OnCommand(@"^policy\s+accept(?:\s+(?<which>[ab]))?(?:\s+(?:until|through)\s+(?<date>\S+))?(?:\s+because\s+(?<reason>.+))?$", AdminOnly(async (turn, m, ct) =>
            {
                var keys = RegistrationPolicies.Parse(m.Groups["which"].Value);
                if (keys.Count != 1)
                {
                    await turn.SendTextAsync("Which policy? Use **policy accept A|B through yyyy-mm-dd because <reason>**.", ct);
                    return;
                }
                var through = new DriftAcceptAction(null, null, m.Groups["date"].Value).Through;
                await SendPlanAsync(turn, await admin.PlanAcceptAsync(Actor(turn), keys[0], null, through,
                    m.Groups["reason"].Success ? m.Groups["reason"].Value : null, null, ct), ct);
            }))
            .OnCommand(@"^policy\s+history(?:\s+(?<which>\S+))?$", AdminOnly(async (turn, m, ct) =>
            {
                var keys = RegistrationPolicies.Parse(m.Groups["which"].Value);
                if (keys.Count != 1) await turn.SendTextAsync("Which policy? Use **policy history A** or **policy history B**.", ct);
                else await turn.SendCardAsync(cards.History(keys[0], await admin.HistoryAsync(keys[0], 20, ct)), ct);
            }))
            .OnCommand(@"^policy\s+restore(?:\s+(?<which>[ab]))?(?:\s+v?(?<version>\d{1,6}))?$", AdminOnly(async (turn, m, ct) =>
            {
                var keys = RegistrationPolicies.Parse(m.Groups["which"].Value);
                if (keys.Count != 1 || !m.Groups["version"].Success)
                {
                    await turn.SendTextAsync("Which policy and version? Use **policy restore A v2** (**policy history A** lists the versions).", ct);
                    return;
                }
                var number = int.Parse(m.Groups["version"].Value, CultureInfo.InvariantCulture);
                await SendPlanAsync(turn, await admin.PlanRestoreAsync(Actor(turn), keys[0], number, null, ct), ct);
            }))
            .OnCommand(@"^policy\s+.*$", AdminOnly(async (turn, _, ct) => await turn.SendTextAsync("I don't know that policy command. " + Usage, ct)))
            .OnCommand(@"^audit(?:\s+(?<n>\d{1,3}))?$", AdminOnly(async (turn, m, ct) =>
                await turn.SendCardAsync(cards.Audit(await admin.AuditAsync(m.Groups["n"].Success ? int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture) : 20, null, ct)), ct)))
            // The status reads the tenant, runs What-If and counts sign-ins: it may take longer than a click may wait.
            .OnVerb(PolicyVerbs.Status, AdminVerb((turn, _, _) => budget.AnswerAsync(turn, token => StatusAsync(turn, token),
                cards.Message("Policy status", ["Reading the tenant, What-If and sign-ins… this card shows the status in a moment."]),
                failure => cards.Message("Policy status", [failure], problem: true))))
            .OnVerb(PolicyVerbs.Audit, AdminVerb(async (_, action, ct) =>
                AdaptiveCardInvokeResponse.Card(cards.Audit(await admin.AuditAsync(20, action.Read(PolicyDataJson.Default.AuditPageData)?.Cursor, ct)))))
            .OnVerb(PolicyVerbs.Deploy, AdminVerb(async (turn, _, ct) => AdaptiveCardInvokeResponse.Card(Render(await admin.PlanDeployAsync(Actor(turn), turn.AnsweredCard, ct)))))
            .OnVerb(PolicyVerbs.Promote, AdminVerb(async (turn, action, ct) =>
            {
                var keys = RegistrationPolicies.Parse(action.Read(PolicyDataJson.Default.PolicyKeysData)?.Which ?? "");
                return keys.Count == 0
                    ? AdaptiveCardInvokeResponse.Message(ActivityProcessor.OutOfDateCard)
                    : AdaptiveCardInvokeResponse.Card(Render(await admin.PlanPromoteAsync(Actor(turn), keys, null, turn.AnsweredCard, ct)));
            }))
            .OnVerb(PolicyVerbs.Rollback, AdminVerb(async (turn, action, ct) =>
            {
                var keys = RegistrationPolicies.Parse(action.Read(PolicyDataJson.Default.PolicyKeysData)?.Which ?? "");
                if (keys.Count == 0) return AdaptiveCardInvokeResponse.Message(ActivityProcessor.OutOfDateCard);
                var lines = await admin.RollbackAsync(Actor(turn), keys, ct);
                return AdaptiveCardInvokeResponse.Card(cards.Message("Rollback", lines.Select(l => l.Text), problem: lines.Any(l => l.Failed)));
            }))
            .OnVerb(PolicyVerbs.Accept, AdminVerb(async (turn, action, ct) =>
            {
                var data = action.Read(DriftAcceptActionJson.Default.DriftAcceptAction) ?? new DriftAcceptAction(null, null);
                var keys = RegistrationPolicies.Parse(data.Policy ?? "");
                if (keys.Count != 1) return AdaptiveCardInvokeResponse.Message(ActivityProcessor.OutOfDateCard);
                return AdaptiveCardInvokeResponse.Card(Render(await admin.PlanAcceptAsync(Actor(turn), keys[0], data.DriftId, data.Through, data.Reason,
                    turn.AnsweredCard, ct)));
            }))
            .OnVerb(PolicyVerbs.Restore, AdminVerb(async (turn, action, ct) =>
            {
                var data = action.Read(PolicyVersionActionJson.Default.PolicyVersionAction) ?? new PolicyVersionAction(null, null);
                var keys = RegistrationPolicies.Parse(data.Policy ?? "");
                if (keys.Count != 1 || data.Version is not { } number) return AdaptiveCardInvokeResponse.Message(ActivityProcessor.OutOfDateCard);
                return AdaptiveCardInvokeResponse.Card(Render(await admin.PlanRestoreAsync(Actor(turn), keys[0], number, turn.AnsweredCard, ct)));
            }));
    }

    private async Task<JsonObject> StatusAsync(TurnContext turn, CancellationToken ct) => cards.Status(await admin.StatusAsync(turn.Caller!.AadObjectId, ct));

    /// <summary>Sends the plan's card on its own, and keeps it among the cards updated with the plan.</summary>
    private async Task SendPlanAsync(TurnContext turn, PlanResult plan, CancellationToken ct)
    {
        var id = await turn.SendCardAsync(Render(plan), ct);
        if (plan is PlanResult.Filed filed && id is not null) await admin.RememberCardAsync(filed, turn.Caller!.AadObjectId, turn.Here(id), ct);
    }

    private JsonObject Render(PlanResult plan) => plan switch
    {
        PlanResult.Filed filed => cards.PlanCard(filed.Record, filed.Audience, filed.Notice),
        PlanResult.Message message => cards.Message(message.Title, message.Lines, message.Problem),
        _ => throw new ArgumentOutOfRangeException(nameof(plan)),
    };

    private CommandHandler AdminOnly(CommandHandler handler) => async (turn, match, ct) =>
    {
        if (await admin.IsAdminAsync(turn.Caller!.AadObjectId, ct)) await handler(turn, match, ct);
        else await turn.SendTextAsync(PolicyPlanKind.NotAnAdmin, ct);
    };

    private VerbHandler AdminVerb(VerbHandler handler) => async (turn, action, ct) =>
        await admin.IsAdminAsync(turn.Caller!.AadObjectId, ct) ? await handler(turn, action, ct) : AdaptiveCardInvokeResponse.Message(PolicyPlanKind.NotAnAdmin);

    private static Person Actor(TurnContext turn) => ApprovalFeature.ClickOf(turn).By;

    public HelpSection? For(CallerRoles roles) => !roles.Has(PolicyRoles.Admin) ? null : new HelpSection("Registration policies",
        [
            ("policy status", "State, drift, preconditions and a What-If matrix of both policies"),
            ("policy deploy", "Plan creating or restoring the policies (report-only); another admin approves"),
            ("policy promote A|B|all", "Plan turning a policy On, after its gates; another admin approves"),
            ("policy rollback A|B|all", "Back to report-only, at once"),
            ("policy accept A|B through yyyy-mm-dd because <reason>", "Plan accepting a change made outside the bot until a date; another admin approves"),
            ("policy history A|B", "Every version the bot applied, who applied it and when"),
            ("policy restore A|B vN", "Plan putting a policy back as it was in a version; another admin approves"),
            ("audit", "The latest audit records"),
        ],
        [Card.Execute("Policy status", PolicyVerbs.Status), Card.Execute("Audit", PolicyVerbs.Audit)]);
}
