using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace TeamsBot.DevTenant.SignIns;

/// <summary>
/// The $filter subset the sign-in log answers: comparisons on createdDateTime, userId, userPrincipalName, appId,
/// ipAddress, conditionalAccessStatus, id and status/errorCode; appliedConditionalAccessPolicies/any(p:p/id eq '...'
/// [and p/result eq '...']); combined with and/or and parentheses.
/// </summary>
internal sealed class SignInFilter
{
    private static readonly string[] StringProperties = ["userId", "userPrincipalName", "appId", "ipAddress", "conditionalAccessStatus", "id", "appDisplayName"];
    private static readonly string[] Operators = ["eq", "ne", "ge", "gt", "le", "lt"];

    private readonly List<Token> tokens;
    private int position;

    private SignInFilter(List<Token> tokens) => this.tokens = tokens;

    /// <summary>A predicate over (signIn, result as the caller will see it), or a FormatException with the reason.</summary>
    public static Func<JsonObject, Func<string?, string?>, bool> Parse(string text)
    {
        var parser = new SignInFilter(Tokenize(text));
        var predicate = parser.ParseOr();
        if (parser.position != parser.tokens.Count)
        {
            throw new FormatException($"unexpected '{parser.tokens[parser.position].Text}'");
        }
        return predicate;
    }

    private Func<JsonObject, Func<string?, string?>, bool> ParseOr()
    {
        var left = ParseAnd();
        while (Peek("or"))
        {
            position++;
            var right = ParseAnd();
            var l = left;
            left = (s, m) => l(s, m) || right(s, m);
        }
        return left;
    }

    private Func<JsonObject, Func<string?, string?>, bool> ParseAnd()
    {
        var left = ParsePrimary();
        while (Peek("and"))
        {
            position++;
            var right = ParsePrimary();
            var l = left;
            left = (s, m) => l(s, m) && right(s, m);
        }
        return left;
    }

    private Func<JsonObject, Func<string?, string?>, bool> ParsePrimary()
    {
        var token = Next();
        if (token.Kind == TokenKind.Open)
        {
            var inner = ParseOr();
            Expect(TokenKind.Close);
            return inner;
        }
        if (token.Kind != TokenKind.Name)
        {
            throw new FormatException($"unexpected '{token.Text}'");
        }
        if (string.Equals(token.Text, "appliedConditionalAccessPolicies/any", StringComparison.Ordinal))
        {
            return ParseAnyPolicy();
        }
        var op = Next();
        if (op.Kind != TokenKind.Name || !Operators.Contains(op.Text))
        {
            throw new FormatException($"expected an operator after '{token.Text}'");
        }
        var value = Next();
        if (token.Text == "createdDateTime")
        {
            if (value.Kind != TokenKind.Literal
                || !DateTimeOffset.TryParse(value.Text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when))
            {
                throw new FormatException($"'{value.Text}' is not a date-time");
            }
            return (s, _) => Compare(DateTimeOffset.Parse((string)s["createdDateTime"]!, CultureInfo.InvariantCulture).CompareTo(when), op.Text);
        }
        if (token.Text == "status/errorCode")
        {
            if (value.Kind != TokenKind.Literal || !int.TryParse(value.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code))
            {
                throw new FormatException($"'{value.Text}' is not a number");
            }
            return (s, _) => Compare(((int?)s["status"]?["errorCode"] ?? 0).CompareTo(code), op.Text);
        }
        if (StringProperties.Contains(token.Text) && value.Kind == TokenKind.String && op.Text is "eq" or "ne")
        {
            var name = token.Text;
            return (s, _) => string.Equals((string?)s[name], value.Text, StringComparison.OrdinalIgnoreCase) == (op.Text == "eq");
        }
        throw new FormatException($"filtering on '{token.Text} {op.Text}' is not supported");
    }

    private Func<JsonObject, Func<string?, string?>, bool> ParseAnyPolicy()
    {
        Expect(TokenKind.Open);
        var variable = Expect(TokenKind.Name).Text;
        Expect(TokenKind.Colon);
        var checks = new List<Func<JsonObject, Func<string?, string?>, bool>>();
        do
        {
            if (checks.Count > 0)
            {
                position++; // 'and'
            }
            var property = Expect(TokenKind.Name).Text;
            var op = Expect(TokenKind.Name).Text;
            var value = Expect(TokenKind.String).Text;
            var field = property.StartsWith(variable + "/", StringComparison.Ordinal) ? property[(variable.Length + 1)..] : null;
            if (field is not ("id" or "result" or "displayName") || op is not ("eq" or "ne"))
            {
                throw new FormatException($"'{property} {op}' is not supported inside any()");
            }
            checks.Add((p, map) =>
            {
                var actual = field == "result" ? map((string?)p["result"]) : (string?)p[field];
                return string.Equals(actual, value, StringComparison.OrdinalIgnoreCase) == (op == "eq");
            });
        }
        while (Peek("and"));
        Expect(TokenKind.Close);
        return (s, map) => (s["appliedConditionalAccessPolicies"] as JsonArray ?? []).OfType<JsonObject>().Any(p => checks.All(c => c(p, map)));
    }

    private static bool Compare(int comparison, string op) => op switch
    {
        "eq" => comparison == 0,
        "ne" => comparison != 0,
        "ge" => comparison >= 0,
        "gt" => comparison > 0,
        "le" => comparison <= 0,
        _ => comparison < 0,
    };

    private bool Peek(string name) => position < tokens.Count && tokens[position].Kind == TokenKind.Name && tokens[position].Text == name;

    private Token Next() => position < tokens.Count ? tokens[position++] : throw new FormatException("the filter ends too early");

    private Token Expect(TokenKind kind)
    {
        var token = Next();
        return token.Kind == kind ? token : throw new FormatException($"unexpected '{token.Text}'");
    }

    private static List<Token> Tokenize(string text)
    {
        var result = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '(' or ')' or ':')
            {
                result.Add(new Token(c == '(' ? TokenKind.Open : c == ')' ? TokenKind.Close : TokenKind.Colon, c.ToString()));
                i++;
            }
            else if (c == '\'')
            {
                var value = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new FormatException("unterminated string");
                    }
                    if (text[i] == '\'')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '\'')
                        {
                            value.Append('\'');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    value.Append(text[i++]);
                }
                result.Add(new Token(TokenKind.String, value.ToString()));
            }
            else if (char.IsDigit(c) || c == '-')
            {
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] != ')')
                {
                    i++;
                }
                result.Add(new Token(TokenKind.Literal, text[start..i]));
            }
            else if (char.IsLetter(c))
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '/' or '.'))
                {
                    i++;
                }
                result.Add(new Token(TokenKind.Name, text[start..i]));
            }
            else
            {
                throw new FormatException($"unexpected '{c}'");
            }
        }
        return result;
    }

    private enum TokenKind { Name, String, Literal, Open, Close, Colon }

    private sealed record Token(TokenKind Kind, string Text);
}
