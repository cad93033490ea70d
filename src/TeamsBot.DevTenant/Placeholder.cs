namespace TeamsBot.DevTenant; internal static class Placeholder;
