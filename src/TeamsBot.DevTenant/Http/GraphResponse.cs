using System.Text.Json.Nodes;

namespace TeamsBot.DevTenant.Http;

/// <summary>A Graph answer before it is written to the wire or into a $batch response item.</summary>
internal sealed class GraphResponse
{
    public int Status { get; init; }

    public JsonNode? Body { get; init; }

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static GraphResponse Ok(JsonNode body) => new() { Status = 200, Body = body };

    public static GraphResponse Created(JsonNode body) => new() { Status = 201, Body = body };

    public static GraphResponse NoContent() => new() { Status = 204 };

    /// <summary>Graph's error envelope; innerError (request ids, date) is added by the pipeline.</summary>
    public static GraphResponse Error(int status, string code, string message) => new()
    {
        Status = status,
        Body = new JsonObject
        {
            ["error"] = new JsonObject { ["code"] = code, ["message"] = message },
        },
    };

    public static GraphResponse NotFound(string what) =>
        Error(404, "Request_ResourceNotFound",
            $"Resource '{what}' does not exist or one of its queried reference-property objects are not present.");

    public static GraphResponse BadRequest(string message, string code = "BadRequest") => Error(400, code, message);

    public GraphResponse WithHeader(string name, string value)
    {
        Headers[name] = value;
        return this;
    }
}
