using TeamsBot.DevTenant.Tenant;

namespace TeamsBot.DevTenant.ConditionalAccess;

/// <summary>
/// Authentication strengths: the three built-in ones (the same ids in every tenant) with the combinations of Learn's
/// "Conditional Access authentication strength" table (only the MFA strength includes the Temporary Access Pass), and
/// the combinations a strength may allow (GET identity/conditionalAccess/authenticationStrength/combinations,
/// https://learn.microsoft.com/graph/api/authenticationstrengthroot-list-authenticationmethodmodes).
/// </summary>
internal static class AuthenticationStrengths
{
    public const string Multifactor = "00000000-0000-0000-0000-000000000002";
    public const string PasswordlessMultifactor = "00000000-0000-0000-0000-000000000003";
    public const string PhishingResistant = "00000000-0000-0000-0000-000000000004";

    /// <summary>The most custom strengths a tenant may have.</summary>
    public const int MaxCustom = 15;

    private static readonly DateTimeOffset BuiltInDate = new(2021, 12, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Every combination a strength may allow, as Graph writes it (no spaces after commas).</summary>
    public static readonly IReadOnlyList<string> Combinations =
    [
        "windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor", "deviceBasedPush", "temporaryAccessPassOneTime",
        "temporaryAccessPassMultiUse", "password,microsoftAuthenticatorPush", "password,softwareOath", "password,hardwareOath", "password,sms",
        "password,voice", "federatedMultiFactor", "microsoftAuthenticatorPush,federatedSingleFactor", "softwareOath,federatedSingleFactor",
        "hardwareOath,federatedSingleFactor", "sms,federatedSingleFactor", "voice,federatedSingleFactor", "x509CertificateSingleFactor", "sms",
        "password", "federatedSingleFactor", "email",
    ];

    // The first seventeen are the multifactor ones: the built-in MFA strength allows exactly those.
    private static readonly string[] MultifactorCombinations = Combinations.Take(17).ToArray();

    public static readonly IReadOnlyList<SimAuthStrength> BuiltIn =
    [
        new(Multifactor, "Multifactor authentication", "Combinations of methods that satisfy strong authentication, such as a password + SMS",
            "builtIn", MultifactorCombinations, BuiltInDate, BuiltInDate),
        new(PasswordlessMultifactor, "Passwordless MFA",
            "Passwordless methods that satisfy strong authentication, such as Passwordless sign-in with the Microsoft Authenticator",
            "builtIn", ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor", "deviceBasedPush"], BuiltInDate, BuiltInDate),
        new(PhishingResistant, "Phishing-resistant MFA",
            "Phishing-resistant, Passwordless methods for the strongest authentication, such as a FIDO2 security key",
            "builtIn", ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"], BuiltInDate, BuiltInDate),
    ];

    public static bool IsBuiltIn(string id) => BuiltIn.Any(s => string.Equals(s.Id, id, StringComparison.OrdinalIgnoreCase));

    /// <summary>"password, sms" (as the docs' examples write it) is "password,sms".</summary>
    public static string Normalize(string combination) =>
        string.Join(',', combination.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    /// <summary>"mfa" when every combination is a multifactor one (those of the built-in MFA strength), else "none".</summary>
    public static string RequirementsSatisfied(IEnumerable<string> combinations) =>
        combinations.All(c => MultifactorCombinations.Contains(c, StringComparer.Ordinal)) ? "mfa" : "none";
}
