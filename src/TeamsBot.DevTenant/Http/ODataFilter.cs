using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TeamsBot.DevTenant.Http;

/// <summary>What a property of a filterable resource holds.</summary>
internal enum FilterKind { String, DateTime, Boolean, Number }

/// <summary>A filterable property and the operators its documentation lists (eq, ne, ge, gt, le, lt, in, startswith).</summary>
internal sealed record FilterProperty(FilterKind Kind, params string[] Operators);

/// <summary>
/// The $filter capabilities of one resource: its properties by path ("principalId", "teamsApp/externalId") and its
/// collections that take any() lambdas, each with its own capabilities.
/// </summary>
internal sealed record FilterSchema(
    IReadOnlyDictionary<string, FilterProperty> Properties,
    IReadOnlyDictionary<string, FilterSchema>? Collections = null);

/// <summary>
/// The OData $filter subset Graph answers on the simulated resources: comparisons of a property with a string,
/// date-time, boolean or null literal; <c>in (...)</c>; <c>startswith(p,'x')</c>; <c>collection/any(v:v/p eq 'x')</c>;
/// <c>not</c>, <c>and</c>, <c>or</c> and parentheses. Anything the resource's schema does not list is refused with a
/// <see cref="FormatException"/> saying what, so the endpoint can answer 400 as Graph does for unsupported queries.
/// String comparisons ignore case, as the directory does.
/// </summary>
internal sealed class ODataFilter
{
    private readonly List<Token> tokens;
    private int position;

    private ODataFilter(List<Token> tokens) => this.tokens = tokens;

    public static Func<JsonObject, bool> Parse(string text, FilterSchema schema)
    {
        var parser = new ODataFilter(Tokenize(text));
        var predicate = parser.ParseOr(schema, null);
        if (parser.position != parser.tokens.Count)
        {
            throw new FormatException($"unexpected '{parser.tokens[parser.position].Text}'");
        }
        return predicate;
    }

    /// <summary>The request's $filter as a predicate (everything passes without one), or the 400 answer for a filter the schema refuses.</summary>
    public static (Func<JsonObject, bool> Predicate, GraphResponse? Refusal) FromRequest(GraphRequest request, FilterSchema schema,
        string errorCode = "BadRequest")
    {
        if (request.QueryValue("$filter") is not { Length: > 0 } text)
        {
            return (_ => true, null);
        }
        try
        {
            return (Parse(text, schema), null);
        }
        catch (FormatException e)
        {
            return (_ => true, GraphResponse.BadRequest($"Invalid filter clause: {e.Message}.", errorCode));
        }
    }

    private Func<JsonObject, bool> ParseOr(FilterSchema schema, string? variable)
    {
        var left = ParseAnd(schema, variable);
        while (PeekName("or"))
        {
            position++;
            var right = ParseAnd(schema, variable);
            var l = left;
            left = o => l(o) || right(o);
        }
        return left;
    }

    private Func<JsonObject, bool> ParseAnd(FilterSchema schema, string? variable)
    {
        var left = ParseUnary(schema, variable);
        while (PeekName("and"))
        {
            position++;
            var right = ParseUnary(schema, variable);
            var l = left;
            left = o => l(o) && right(o);
        }
        return left;
    }

    private Func<JsonObject, bool> ParseUnary(FilterSchema schema, string? variable)
    {
        if (PeekName("not"))
        {
            position++;
            var inner = ParsePrimary(schema, variable);
            return o => !inner(o);
        }
        return ParsePrimary(schema, variable);
    }

    private Func<JsonObject, bool> ParsePrimary(FilterSchema schema, string? variable)
    {
        var token = Next();
        if (token.Kind == TokenKind.Open)
        {
            var inner = ParseOr(schema, variable);
            Expect(TokenKind.Close);
            return inner;
        }
        if (token.Kind != TokenKind.Name)
        {
            throw new FormatException($"unexpected '{token.Text}'");
        }
        if (string.Equals(token.Text, "startswith", StringComparison.OrdinalIgnoreCase))
        {
            Expect(TokenKind.Open);
            var path = Property(Expect(TokenKind.Name).Text, variable);
            Expect(TokenKind.Comma);
            var prefix = Expect(TokenKind.String).Text;
            Expect(TokenKind.Close);
            Allowed(schema, path, "startswith");
            return o => Value(o, path) is { } actual && actual.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);
        }
        if (token.Text.EndsWith("/any", StringComparison.Ordinal))
        {
            return ParseAny(schema, Property(token.Text[..^"/any".Length], variable));
        }
        var property = Property(token.Text, variable);
        var op = Expect(TokenKind.Name).Text;
        if (op == "in")
        {
            var field = Allowed(schema, property, "in");
            Expect(TokenKind.Open);
            var values = new List<string?>();
            do
            {
                if (values.Count > 0)
                {
                    position++; // ','
                }
                values.Add(Literal(Next(), field, property));
            }
            while (Peek(TokenKind.Comma));
            Expect(TokenKind.Close);
            return o => values.Any(v => Compare(field, Value(o, property), v) == 0);
        }
        if (op is not ("eq" or "ne" or "gt" or "ge" or "lt" or "le"))
        {
            throw new FormatException($"'{op}' is not a supported operator");
        }
        var kind = Allowed(schema, property, op);
        var literal = Literal(Next(), kind, property);
        return o => Holds(op, Compare(kind, Value(o, property), literal));
    }

    private Func<JsonObject, bool> ParseAny(FilterSchema schema, string collection)
    {
        if (schema.Collections?.GetValueOrDefault(collection) is not { } inner)
        {
            throw new FormatException($"any() on '{collection}' is not supported");
        }
        Expect(TokenKind.Open);
        var variable = Expect(TokenKind.Name).Text;
        Expect(TokenKind.Colon);
        var predicate = ParseOr(inner, variable);
        Expect(TokenKind.Close);
        return o => Node(o, collection) is JsonArray items && items.OfType<JsonObject>().Any(predicate);
    }

    /// <summary>A property path, without the lambda variable inside any().</summary>
    private static string Property(string path, string? variable)
    {
        if (variable is null)
        {
            return path;
        }
        return path.StartsWith(variable + "/", StringComparison.Ordinal)
            ? path[(variable.Length + 1)..]
            : throw new FormatException($"'{path}' inside any() must start with '{variable}/'");
    }

    private static FilterKind Allowed(FilterSchema schema, string property, string op)
    {
        if (schema.Properties.GetValueOrDefault(property) is not { } field)
        {
            throw new FormatException($"filtering on '{property}' is not supported");
        }
        return field.Operators.Contains(op, StringComparer.Ordinal)
            ? field.Kind
            : throw new FormatException($"the '{op}' operator is not supported on '{property}'");
    }

    private static string? Literal(Token token, FilterKind kind, string property)
    {
        if (token.Kind == TokenKind.Name && token.Text == "null")
        {
            return null;
        }
        switch (kind)
        {
            case FilterKind.String when token.Kind == TokenKind.String:
                return token.Text;
            case FilterKind.Boolean when token.Kind == TokenKind.Name && token.Text is "true" or "false":
                return token.Text;
            case FilterKind.DateTime when token.Kind == TokenKind.Literal
                && DateTimeOffset.TryParse(token.Text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _):
                return token.Text;
            case FilterKind.Number when token.Kind == TokenKind.Literal
                && decimal.TryParse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out _):
                return token.Text;
            default:
                throw new FormatException($"'{token.Text}' is not a valid value for '{property}'");
        }
    }

    private static int? Compare(FilterKind kind, string? actual, string? literal)
    {
        if (actual is null || literal is null)
        {
            return actual is null && literal is null ? 0 : null;
        }
        return kind switch
        {
            FilterKind.DateTime => DateTimeOffset.Parse(actual, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
                .CompareTo(DateTimeOffset.Parse(literal, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)),
            FilterKind.Number => decimal.Parse(actual, NumberStyles.Float, CultureInfo.InvariantCulture)
                .CompareTo(decimal.Parse(literal, NumberStyles.Float, CultureInfo.InvariantCulture)),
            _ => string.Compare(actual, literal, StringComparison.OrdinalIgnoreCase),
        };
    }

    /// <summary>A comparison with null on one side is only ever "not equal".</summary>
    private static bool Holds(string op, int? comparison) => comparison is not { } c
        ? op == "ne"
        : op switch
        {
            "eq" => c == 0,
            "ne" => c != 0,
            "gt" => c > 0,
            "ge" => c >= 0,
            "lt" => c < 0,
            _ => c <= 0,
        };

    private static JsonNode? Node(JsonObject item, string path)
    {
        JsonNode? current = item;
        foreach (var segment in path.Split('/'))
        {
            current = current is JsonObject o ? o[segment] : null;
        }
        return current;
    }

    private static string? Value(JsonObject item, string path) => Node(item, path) switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => (string?)v,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>() ? "true" : "false",
        JsonValue v => v.ToJsonString(),
        _ => null,
    };

    private bool PeekName(string name) => position < tokens.Count && tokens[position].Kind == TokenKind.Name && tokens[position].Text == name;

    private bool Peek(TokenKind kind) => position < tokens.Count && tokens[position].Kind == kind;

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
            else if (c is '(' or ')' or ':' or ',')
            {
                result.Add(new Token(c switch { '(' => TokenKind.Open, ')' => TokenKind.Close, ':' => TokenKind.Colon, _ => TokenKind.Comma }, c.ToString()));
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
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not (')' or ','))
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

    private enum TokenKind { Name, String, Literal, Open, Close, Colon, Comma }

    private sealed record Token(TokenKind Kind, string Text);
}
