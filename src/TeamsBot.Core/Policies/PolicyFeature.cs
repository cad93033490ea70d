using System.Globalization;
using System.Text.Json.Nodes;
using TeamsBot.Access;
using TeamsBot.Cards;
using TeamsBot.Help;
using TeamsBot.Protocol;
using TeamsBot.Protocol.Routing;

namespace TeamsBot.Policies;

/// <summary>The policy admins' commands and card verbs; the admin check runs on every one of them.</summary>
public sealed class PolicyFeature(PolicyService service) : IBotFeature, IHelpContributor
{
    private const string Usage = "Use **policy status**, **policy deploy**, **policy promote A|B|all** or **policy rollback A|B|all**.";

    public void Map(BotRoutes routes)
    {
        routes
            .OnCommand(@"^policy(?:\s+status)?$", AdminOnly(async (turn, _, ct) => await turn.SendCardAsync(await service.StatusAsync(turn.Caller!, ct), ct)))
            .OnCommand(@"^policy\s+deploy$", AdminOnly(async (turn, _, ct) => await SendPlanAsync(turn, await service.PlanDeployAsync(turn, ct), ct)))
            .OnCommand(@"^policy\s+promote(?:\s+(?<which>\S+))?(?:\s+because\s+(?<reason>.+))?$", AdminOnly(async (turn, m, ct) =>
            {
                var keys = RegistrationPolicies.Parse(m.Groups["which"].Value);
                if (keys.Count == 0) await turn.SendTextAsync("Which policy? " + Usage, ct);
                else await SendPlanAsync(turn, await service.PlanPromoteAsync(turn, keys, m.Groups["reason"].Success ? m.Groups["reason"].Value : null, ct), ct);
            }))
            .OnCommand(@"^policy\s+roll\s?back(?:\s+(?<which>\S+))?$", AdminOnly(async (turn, m, ct) =>
            {
                var keys = RegistrationPolicies.Parse(m.Groups["which"].Value);
                if (keys.Count == 0) await turn.SendTextAsync("Which policy? " + Usage, ct);
                else await turn.SendCardAsync(await service.RollbackAsync(turn, keys, ct), ct);
            }))
            .OnCommand(@"^policy\s+.*$", AdminOnly(async (turn, _, ct) => await turn.SendTextAsync("I don't know that policy command. " + Usage, ct)))
            .OnCommand(@"^audit(?:\s+(?<n>\d{1,3}))?$", AdminOnly(async (turn, m, ct) =>
                await turn.SendCardAsync(await service.AuditAsync(m.Groups["n"].Success ? int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture) : 20, ct), ct)))
            .OnVerb(PolicyVerbs.Approve, AdminVerb((turn, action, ct) => service.DecideAsync(turn, action, approve: true, ct)))
            .OnVerb(PolicyVerbs.Reject, AdminVerb((turn, action, ct) => service.DecideAsync(turn, action, approve: false, ct)))
            .OnVerb(PolicyVerbs.Cancel, AdminVerb(service.CancelAsync))
            .OnVerb(PolicyVerbs.Status, AdminVerb(async (turn, _, ct) => AdaptiveCardInvokeResponse.Card(await service.StatusAsync(turn.Caller!, ct))))
            .OnVerb(PolicyVerbs.Audit, AdminVerb(async (turn, _, ct) => AdaptiveCardInvokeResponse.Card(await service.AuditAsync(20, ct))))
            .OnVerb(PolicyVerbs.Deploy, AdminVerb(async (turn, _, ct) =>
            {
                var (card, planId) = await service.PlanDeployAsync(turn, ct);
                if (planId is not null && turn.Activity.ReplyToId is { Length: > 0 } clicked)
                    await service.RememberPlannerCardAsync(planId, turn, clicked, ct);
                return AdaptiveCardInvokeResponse.Card(card);
            }));
    }

    private async Task SendPlanAsync(TurnContext turn, (JsonObject Card, string? PlanId) plan, CancellationToken ct)
    {
        var id = await turn.SendCardAsync(plan.Card, ct);
        if (plan.PlanId is not null && id is not null) await service.RememberPlannerCardAsync(plan.PlanId, turn, id, ct);
    }

    private CommandHandler AdminOnly(CommandHandler handler) => async (turn, match, ct) =>
    {
        if (await service.IsAdminAsync(turn.Caller!, ct)) await handler(turn, match, ct);
        else await turn.SendTextAsync(PolicyService.NotAnAdmin, ct);
    };

    private VerbHandler AdminVerb(VerbHandler handler) => async (turn, action, ct) =>
        await service.IsAdminAsync(turn.Caller!, ct) ? await handler(turn, action, ct) : AdaptiveCardInvokeResponse.Message(PolicyService.NotAnAdmin);

    public HelpSection? For(CallerRoles roles) => !roles.IsPolicyAdmin ? null : new HelpSection("Registration policies",
        [
            ("policy status", "State, drift, preconditions and a What-If matrix of both policies"),
            ("policy deploy", "Plan creating or restoring the policies (report-only); another admin approves"),
            ("policy promote A|B|all", "Plan turning a policy On, after its gates; another admin approves"),
            ("policy rollback A|B|all", "Back to report-only, at once"),
            ("audit", "The latest audit records"),
        ],
        [Card.Execute("Policy status", PolicyVerbs.Status), Card.Execute("Audit", PolicyVerbs.Audit)]);

}
