using TeamsBot.Host.Hosting;
using WebApplication = Microsoft.AspNetCore.Builder.WebApplication;

var builder = WebApplication.CreateBuilder(args);

builder.AddObservability();
builder.AddTeamsBot();
builder.AddTenantDirectory();
builder.AddTapRequests();
builder.AddRegistrationPolicies();
builder.AddHealth();

var app = builder.Build();

app.EnsureLocalModeIsSafe();
app.MapBotEndpoint();
app.MapHealth();

await app.RunAsync();

/// <summary>The bot's entry point (public for the integration tests' host).</summary>
public partial class Program;
