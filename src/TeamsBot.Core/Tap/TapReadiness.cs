using TeamsBot.Directory;

namespace TeamsBot.Tap;

/// <summary>Whether a pass would let the hire register methods of their own, as far as the tenant says before it is made.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TapOutlookVerdict>))]
public enum TapOutlookVerdict
{
    /// <summary>Nothing stands in the way.</summary>
    Works,

    /// <summary>It should work, with something the approvers should know (methods they already have, only from a trusted network...).</summary>
    Caution,

    /// <summary>A policy in force blocks registering from everywhere the check looked, or asks for a strength a pass doesn't meet.</summary>
    Cannot,
}

/// <summary>The verdict in words, kept on the request for its cards; <paramref name="FiledAnyway"/> when the requester confirmed a request that cannot work.</summary>
public sealed record TapOutlook(TapOutlookVerdict Verdict, IReadOnlyList<string> Findings, bool FiledAnyway = false);

/// <summary>A place a What-If of "register security information" is asked from.</summary>
public sealed record OutlookPlace(string Name, WhatIfQuery Query);

/// <summary>
/// What can be known before a pass is made about the hire using it: the methods they have already (a pass may be
/// unnecessary), and a Conditional Access What-If of "register security information"
/// (https://learn.microsoft.com/graph/api/conditionalaccessroot-evaluate, userActionContext registerSecurityInformation)
/// from an untrusted and a trusted network. A pass satisfies "Require MFA" and any authentication strength whose allowed
/// combinations list its mode (temporaryAccessPassOneTime or temporaryAccessPassMultiUse:
/// https://learn.microsoft.com/entra/identity/authentication/concept-authentication-strengths); a block, or a strength
/// without that mode, means the pass can't be used to register. Pure: the facts come in, the verdict goes out.
/// </summary>
public static class TapReadiness
{
    private const string Enabled = "enabled";
    private const string ReportOnly = "enabledForReportingButNotEnforced";

    /// <summary>Method types that are not a way of signing in of the hire's own.</summary>
    private static readonly HashSet<string> NotOwnSignIn = new(StringComparer.OrdinalIgnoreCase) { "password", "temporaryAccessPass", "email" };

    /// <summary>Where to ask the What-If from: an untrusted network always, and a trusted one when the tenant has one.</summary>
    public static IReadOnlyList<OutlookPlace> Places(string userId, RegistrationContext? context)
    {
        var locations = context?.Locations ?? [];
        var places = new List<OutlookPlace> { new("From an untrusted network", new WhatIfQuery(userId, NamedLocationAddresses.Untrusted(locations))) };
        if (NamedLocationAddresses.Trusted(locations) is { } trusted)
            places.Add(new OutlookPlace($"From a trusted network ({trusted.Location})", new WhatIfQuery(userId, trusted.Address)));
        return places;
    }

    /// <summary>
    /// The verdict. <paramref name="results"/> holds each place's What-If answer in order; null when the What-If could
    /// not be run (<paramref name="whatIfProblem"/> says why).
    /// </summary>
    public static TapOutlook Judge(TapRequest request, RegistrationContext? context, IReadOnlyList<OutlookPlace> places,
        IReadOnlyList<IReadOnlyList<WhatIfResult>>? results, string? whatIfProblem = null)
    {
        var name = request.TargetName;
        var findings = new List<string>();
        var caution = false;

        var own = request.ExistingMethods.Where(m => !NotOwnSignIn.Contains(m)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (own.Count > 0)
        {
            caution = true;
            findings.Add($"{name} already has {string.Join(" and ", own.Select(TapCards.MethodName))}: with it they can sign in and add methods without a pass, unless it is lost.");
        }

        if (results is null)
        {
            findings.Add($"The Conditional Access What-If could not be run ({(whatIfProblem ?? "no answer").TrimEnd('.')}), so whether a policy stands in the way is unknown.");
            return new TapOutlook(TapOutlookVerdict.Caution, findings);
        }
        if (context?.Locations is null)
        {
            caution = true;
            findings.Add("The named locations could not be read, so the check looked from an untrusted network only.");
        }
        else if (places.Count < 2)
        {
            findings.Add("The tenant has no trusted IP location, so the check looked from an untrusted network only.");
        }

        var mode = request.UsableOnce ? "temporaryAccessPassOneTime" : "temporaryAccessPassMultiUse";
        var blockedAt = new List<string>();
        var fineAt = new List<string>();
        for (var i = 0; i < places.Count && i < results.Count; i++)
        {
            var place = places[i].Name;
            var applying = results[i].Where(r => r.PolicyApplies && r.State is Enabled or ReportOnly)
                .Select(r => (Result: r, Grant: Grant(r, context?.Strengths, mode)))
                .ToList();
            var enforced = applying.Where(a => a.Result.State == Enabled).ToList();
            var stopping = enforced.Where(a => a.Grant.Kind is GrantKind.Block or GrantKind.StrengthWithoutPass).ToList();
            if (stopping.Count > 0)
            {
                blockedAt.Add(place);
                findings.Add($"{place}: {string.Join("; ", stopping.Select(a => a.Grant.Words))}.");
            }
            else
            {
                fineAt.Add(place);
                var doubtful = enforced.Where(a => a.Grant.Kind is GrantKind.Other).ToList();
                var satisfied = enforced.Where(a => a.Grant.Kind is GrantKind.Satisfiable).ToList();
                if (doubtful.Count > 0)
                {
                    caution = true;
                    findings.Add($"{place}: {string.Join("; ", doubtful.Select(a => a.Grant.Words))}.");
                }
                else if (satisfied.Count > 0)
                {
                    findings.Add($"{place}: {string.Join("; ", satisfied.Select(a => a.Grant.Words))}.");
                }
                else
                {
                    findings.Add($"{place}: no Conditional Access policy asks for more than the pass.");
                }
            }
            foreach (var (result, grant) in applying.Where(a => a.Result.State == ReportOnly && a.Grant.Kind is GrantKind.Block or GrantKind.StrengthWithoutPass))
            {
                caution = true;
                findings.Add($"{place}: '{result.DisplayName}' is in report-only mode; once it is turned on, {grant.Words}.");
            }
        }

        if (blockedAt.Count > 0 && fineAt.Count == 0)
            return new TapOutlook(TapOutlookVerdict.Cannot, findings);
        if (blockedAt.Count > 0)
        {
            caution = true;
            findings.Add($"So {name} can register with the pass only {string.Join(" or ", fineAt.Select(p => p.Replace("From ", "from ", StringComparison.Ordinal)))}.");
        }
        return new TapOutlook(caution ? TapOutlookVerdict.Caution : TapOutlookVerdict.Works, findings);
    }

    private enum GrantKind { Nothing, Satisfiable, Other, StrengthWithoutPass, Block }

    private sealed record GrantOutcome(GrantKind Kind, string Words);

    /// <summary>What one applying policy asks for, and whether a pass gives it.</summary>
    private static GrantOutcome Grant(WhatIfResult result, IReadOnlyList<AuthenticationStrength>? strengths, string mode)
    {
        var policy = $"'{result.DisplayName}'";
        if (result.BuiltInControls.Contains("block", StringComparer.OrdinalIgnoreCase))
            return new GrantOutcome(GrantKind.Block, $"{policy} blocks registering security information");

        var parts = new List<(GrantKind Kind, string What)>();
        foreach (var control in result.BuiltInControls)
            parts.Add(string.Equals(control, "mfa", StringComparison.OrdinalIgnoreCase)
                ? (GrantKind.Satisfiable, "MFA")
                : (GrantKind.Other, ControlName(control)));
        if (result.AuthenticationStrengthId is { Length: > 0 } id)
        {
            var strength = strengths?.FirstOrDefault(s => string.Equals(s.Id, id, StringComparison.OrdinalIgnoreCase));
            if (strength is null)
                parts.Add((GrantKind.Other, $"an authentication strength ({id}) the bot could not read"));
            else if (strength.AllowedCombinations.Contains(mode, StringComparer.OrdinalIgnoreCase))
                parts.Add((GrantKind.Satisfiable, $"the authentication strength '{strength.DisplayName}'"));
            else
                parts.Add((GrantKind.StrengthWithoutPass,
                    $"the authentication strength '{strength.DisplayName}', which doesn't allow a {(mode.EndsWith("OneTime", StringComparison.Ordinal) ? "one-time" : "multi-use")} Temporary Access Pass"));
        }
        if (parts.Count == 0) return new GrantOutcome(GrantKind.Nothing, $"{policy} asks for nothing a pass can't give");

        var all = string.Equals(result.GrantOperator, "AND", StringComparison.OrdinalIgnoreCase);
        var kind = all
            ? parts.Max(p => p.Kind)
            : parts.Any(p => p.Kind == GrantKind.Satisfiable) ? GrantKind.Satisfiable
            : parts.Any(p => p.Kind == GrantKind.Other) ? GrantKind.Other
            : GrantKind.StrengthWithoutPass;
        var what = string.Join(all ? " and " : " or ", parts.Select(p => p.What));
        return new GrantOutcome(kind, kind switch
        {
            GrantKind.Satisfiable => $"{policy} requires {what}, which the pass satisfies",
            GrantKind.Other => $"{policy} requires {what}, which a pass alone doesn't give",
            _ => $"{policy} requires {what}",
        });
    }

    private static string ControlName(string control) => control switch
    {
        "compliantDevice" => "a compliant device",
        "domainJoinedDevice" => "a hybrid joined device",
        "approvedApplication" => "an approved client app",
        "compliantApplication" => "an app protection policy",
        "passwordChange" => "a password change",
        _ => control,
    };
}
