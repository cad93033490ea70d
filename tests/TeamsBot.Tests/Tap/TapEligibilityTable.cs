using TeamsBot.Access;
using TeamsBot.Directory;
using TeamsBot.Tap;

namespace TeamsBot.Tests.Tap;

/// <summary>
/// The rules a TAP request must pass, as a table: each row changes one fact of an otherwise good request and names the
/// problem it must raise (or none). Pure: no host, no HTTP, no tenant.
/// </summary>
public sealed class TapEligibilityTable
{
    private const string Manager = "manager-1";
    private const string Hire = "hire-1";
    private const string Approvers = "group-approvers";
    private const string Privileged = "group-privileged";
    private const string BreakGlassGroup = "group-break-glass";
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly TapPolicy Policy = new(true, 60, 60, 480, 8, false, [new("group", "all_users")], []);

    private static TapCandidate Facts() => new(
        new DirectoryUser(Hire, "diego@contoso.com", "Diego Siciliani", null, "Sales", "Account Executive", UserKind.Member, true, Now.AddDays(7)),
        Manager, new HashSet<string>(), [], ["password"], Policy, RequesterInRequestersGroup: false,
        new Dictionary<string, IReadOnlyList<string>> { [Approvers] = ["adele", "alex", Manager, Hire], [Privileged] = ["priv-1"] });

    private static TapRequestDraft Draft() => new("diego@contoso.com", null, 120, UsableOnce: true, "First day on Monday");

    private static TapOptions Options(bool privilegedGroup = true) => new()
    {
        ApproversGroupId = Approvers,
        PrivilegedApproversGroupId = privilegedGroup ? Privileged : null,
    };

    private static readonly BreakGlassOptions BreakGlass = new() { UserIds = ["bg-1"], GroupId = BreakGlassGroup };

    /// <summary>One fact changed, and the words the refusal must contain ("" for none).</summary>
    public static TheoryData<string, string> Rows => new()
    {
        { "a good request", "" },
        { "the requester is in the requesters group, not the manager", "" },
        { "the hire is not in the directory", "can't find" },
        { "the requester asks for themselves", "for yourself" },
        { "the requester is neither manager nor requester", "only for your own direct reports" },
        { "the account is disabled", "account is disabled" },
        { "the hire is a guest", "is a guest" },
        { "the hire is a break-glass account by id", "break-glass" },
        { "the hire is a break-glass account by group", "break-glass" },
        { "the hire holds a role and no privileged group is set", "holds a directory role" },
        { "the TAP method is off", "turned off" },
        { "the policy excludes the hire", "doesn't cover" },
        { "the lifetime is under the policy's minimum", "between 60 and 480" },
        { "the lifetime is over the policy's maximum", "between 60 and 480" },
        { "a multi-use pass where the policy wants one-time", "only one-time passes" },
        { "no reason", "Give a reason" },
        { "a reason of 501 characters", "under 500 characters" },
        { "a start 61 days away", "at most 60 days" },
        { "no approvers group", "No approvers group" },
        { "the approvers are only the requester and the hire", "Nobody else is in the approvers group" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void A_request_is_refused_for_exactly_the_rule_it_breaks(string row, string problem)
    {
        var facts = Facts();
        var draft = Draft();
        var options = Options();
        var requester = Manager;
        switch (row)
        {
            case "the requester is in the requesters group, not the manager":
                facts = facts with { TargetManagerId = "someone-else", RequesterInRequestersGroup = true };
                break;
            case "the hire is not in the directory": facts = facts with { Target = null }; break;
            case "the requester asks for themselves": requester = Hire; break;
            case "the requester is neither manager nor requester": facts = facts with { TargetManagerId = "someone-else" }; break;
            case "the account is disabled": facts = facts with { Target = facts.Target! with { AccountEnabled = false } }; break;
            case "the hire is a guest": facts = facts with { Target = facts.Target! with { Kind = UserKind.ExternalGuest } }; break;
            case "the hire is a break-glass account by id": facts = facts with { Target = facts.Target! with { Id = "bg-1" } }; break;
            case "the hire is a break-glass account by group": facts = facts with { TargetGroupIds = new HashSet<string> { BreakGlassGroup } }; break;
            case "the hire holds a role and no privileged group is set":
                facts = facts with { TargetRoles = [new("62e90394-69f5-4237-9190-012177145e10", "Global Administrator")] };
                options = Options(privilegedGroup: false);
                break;
            case "the TAP method is off": facts = facts with { Policy = Policy with { Enabled = false } }; break;
            case "the policy excludes the hire": facts = facts with { Policy = Policy with { ExcludeTargets = [new("user", Hire)] } }; break;
            case "the lifetime is under the policy's minimum": draft = draft with { LifetimeMinutes = 59 }; break;
            case "the lifetime is over the policy's maximum": draft = draft with { LifetimeMinutes = 481 }; break;
            case "a multi-use pass where the policy wants one-time":
                facts = facts with { Policy = Policy with { IsUsableOnce = true } };
                draft = draft with { UsableOnce = false };
                break;
            case "no reason": draft = draft with { Reason = "  " }; break;
            case "a reason of 501 characters": draft = draft with { Reason = new string('x', 501) }; break;
            case "a start 61 days away": draft = draft with { StartsAt = Now.AddDays(61) }; break;
            case "no approvers group": options = new TapOptions { PrivilegedApproversGroupId = Privileged }; break;
            case "the approvers are only the requester and the hire":
                facts = facts with { ApproverIdsByGroup = new Dictionary<string, IReadOnlyList<string>> { [Approvers] = [Manager, Hire] } };
                break;
        }

        var verdict = TapEligibility.Check(draft, facts, requester, options, BreakGlass, Now);

        if (problem.Length == 0)
        {
            Assert.True(verdict.Allowed, string.Join(" ", verdict.Problems));
            Assert.Equal(["adele", "alex"], verdict.Approvers);
            Assert.Equal(Approvers, verdict.Request!.ApproverGroupId);
        }
        else
        {
            Assert.False(verdict.Allowed);
            var only = Assert.Single(verdict.Problems);
            Assert.Contains(problem, only, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_role_holder_goes_to_the_privileged_approvers_and_the_card_names_the_role()
    {
        var facts = Facts() with { TargetRoles = [new("62e90394-69f5-4237-9190-012177145e10", "Global Administrator")] };

        var verdict = TapEligibility.Check(Draft(), facts, Manager, Options(), BreakGlass, Now);

        Assert.True(verdict.Allowed);
        Assert.True(verdict.Request!.Privileged);
        Assert.Equal(Privileged, verdict.Request.ApproverGroupId);
        Assert.Equal(["priv-1"], verdict.Approvers);
        Assert.Equal(["Global Administrator"], verdict.Request.TargetRoles);
    }

    [Theory]
    [InlineData(null, "2026-12-08T08:00:00+00:00")] // the morning of the hire date
    [InlineData("2026-12-03T10:30:00+00:00", "2026-12-03T10:30:00+00:00")] // as chosen
    [InlineData("2026-11-30T10:30:00+00:00", "2026-12-01T09:00:00+00:00")] // a start in the past is now
    public void The_pass_starts_as_chosen_else_on_the_hire_morning_never_in_the_past(string? chosen, string expected)
    {
        var start = TapEligibility.DefaultStart(chosen is null ? null : DateTimeOffset.Parse(chosen, System.Globalization.CultureInfo.InvariantCulture),
            Facts().Target!, Now);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), start);
    }
}
