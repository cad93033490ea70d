using TeamsBot.Access;
using TeamsBot.Cards;
using TeamsBot.Directory;
using TeamsBot.Protocol.Routing;

namespace TeamsBot.Help;

/// <summary>A part of the help card that a feature adds for the roles it serves.</summary>
public sealed record HelpSection(string Title, IReadOnlyList<(string Command, string What)> Commands, IReadOnlyList<JsonObject> Actions);

public interface IHelpContributor
{
    HelpSection? For(CallerRoles roles);
}

/// <summary>The welcome on install and the <c>help</c> command: what this user may do, from their roles.</summary>
public sealed class HelpFeature(RoleChecks roles, IPeopleDirectory people, IEnumerable<IHelpContributor> contributors) : IBotFeature
{
    public const string HelpVerb = "help.show";

    public void Map(BotRoutes routes)
    {
        routes.OnCommand(@"^(help|\?|hi|hello|start|menu)$", async (turn, _, ct) => await turn.SendCardAsync(await HelpCardAsync(turn, ct), ct));
        routes.OnVerb(HelpVerb, async (turn, _, ct) =>
        {
            await turn.SendCardAsync(await HelpCardAsync(turn, ct), ct);
            return Protocol.AdaptiveCardInvokeResponse.Message("Here is what you can do.");
        });
        routes.OnInstalled(async (turn, ct) =>
        {
            if (!turn.IsPersonalChat)
            {
                await turn.SendTextAsync("Hi! I'm **TeamsBot**. I post TAP approvals and registration-policy plans here when I'm set up to. Mention me with **help** to see what I can do.", ct);
                return;
            }
            // Install events from some clients carry no name: ask the directory.
            var name = turn.Activity.From?.Name is { Length: > 0 } n ? n
                : turn.Caller is { } c ? (await people.FindUserAsync(c.AadObjectId, ct))?.DisplayName : null;
            var firstName = name?.Split(' ', 2)[0];
            await turn.SendTextAsync(
                $"Hi{(firstName is { Length: > 0 } ? " " + firstName : "")}! I'm **TeamsBot**. I get Temporary Access Passes to new hires safely, with an approver in the loop, and I help identity admins run the security-info registration policies.", ct);
            if (turn.Caller is not null) await turn.SendCardAsync(await HelpCardAsync(turn, ct), ct);
        });
    }

    private async Task<JsonObject> HelpCardAsync(TurnContext turn, CancellationToken ct)
    {
        var caller = turn.Caller ?? throw new InvalidOperationException("Help needs a caller.");
        return Render(await roles.GetAsync(caller.AadObjectId, ct));
    }

    public JsonObject Render(CallerRoles callerRoles)
    {
        var sections = contributors.Select(c => c.For(callerRoles)).OfType<HelpSection>().ToList();
        var body = new List<JsonNode?> { Card.Title("What you can do") };
        if (sections.Count == 0)
            body.Add(Card.Text("You don't have a role here yet. Managers request Temporary Access Passes for their new hires, approvers decide on them, and policy admins manage the registration policies. Ask your identity team to add you to the right group."));
        foreach (var section in sections)
        {
            body.Add(Card.Text(section.Title, weight: "Bolder", size: "Medium"));
            body.Add(Card.Facts([.. section.Commands.Select(c => (c.Command, (string?)c.What))]));
        }
        body.Add(Card.Text("Type a command, or use the buttons.", subtle: true));
        return Card.Create(body, sections.SelectMany(s => s.Actions).Take(6));
    }
}
