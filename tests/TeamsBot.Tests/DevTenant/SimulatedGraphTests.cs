using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TeamsBot.DevTenant.Dev;

namespace TeamsBot.Tests.DevTenant;

/// <summary>The simulated tenant spoken to over raw HTTP, the way Graph is.</summary>
public sealed class SimulatedGraphTests : IClassFixture<SimulatedTenantFixture>
{
    private readonly SimulatedTenantFixture fx;

    public SimulatedGraphTests(SimulatedTenantFixture fixture)
    {
        fx = fixture;
        fx.Reset();
    }

    [Fact]
    public async Task Requests_without_a_bearer_token_get_401_InvalidAuthenticationToken()
    {
        using var anonymous = new HttpClient();
        using var empty = new HttpRequestMessage(HttpMethod.Get, $"{fx.Tenant.BaseUrl}/users/{Seed.Megan}");
        empty.Headers.TryAddWithoutValidation("Authorization", "Bearer ");
        var withoutHeader = await anonymous.GetAsync(new Uri($"{fx.Tenant.BaseUrl}/users/{Seed.Megan}"));
        var withEmptyToken = await anonymous.SendAsync(empty);
        var body = JsonNode.Parse(await withoutHeader.Content.ReadAsStringAsync())!;

        Assert.Equal(401, (int)withoutHeader.StatusCode);
        Assert.Equal(401, (int)withEmptyToken.StatusCode);
        Assert.Equal("InvalidAuthenticationToken", (string?)body["error"]!["code"]);
        Assert.All(fx.Tenant.RequestLog.Entries, e => Assert.Equal(401, e.Status));
    }

    [Fact]
    public async Task UserType_and_accountEnabled_come_only_when_selected()
    {
        var (_, plain, _) = await fx.GetAsync($"users/{Seed.Grady}");
        var (_, selected, _) = await fx.GetAsync($"users/{Seed.Grady}?$select=id,userType,accountEnabled");

        Assert.Equal("Grady Archie", (string?)plain!["displayName"]);
        Assert.False(plain.AsObject().ContainsKey("userType"));
        Assert.False(plain.AsObject().ContainsKey("accountEnabled"));
        Assert.Equal("Member", (string?)selected!["userType"]);
        Assert.False((bool)selected["accountEnabled"]!);
        Assert.False(selected.AsObject().ContainsKey("displayName"));
    }

    [Fact]
    public async Task Users_are_found_by_upn_including_external_upns()
    {
        var (status, body, _) = await fx.GetAsync($"users/{Uri.EscapeDataString(Seed.JoniUpn)}?$select=id,userType,creationType,externalUserState");

        Assert.Equal(200, status);
        Assert.Equal(Seed.Joni, (string?)body!["id"]);
        Assert.Equal("Invitation", (string?)body["creationType"]);
    }

    [Fact]
    public async Task Selecting_an_unknown_property_is_refused_like_graph()
    {
        var (status, body, _) = await fx.GetAsync($"users/{Seed.Megan}?$select=id,favouriteColour");

        Assert.Equal(400, status);
        Assert.Contains("favouriteColour", (string?)body!["error"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_manager_is_a_404_with_graphs_text()
    {
        var (status, body, _) = await fx.GetAsync($"users/{Seed.Megan}/manager");

        Assert.Equal(404, status);
        Assert.Equal("Request_ResourceNotFound", (string?)body!["error"]!["code"]);
        Assert.Equal("Resource 'manager' does not exist or one of its queried reference-property objects are not present.",
            (string?)body["error"]!["message"]);
        Assert.NotNull(body["error"]!["innerError"]!["request-id"]);
    }

    [Fact]
    public async Task TransitiveMemberOf_lists_nested_groups_and_directory_roles()
    {
        var (_, alex, _) = await fx.GetAsync($"users/{Seed.Alex}/transitiveMemberOf");
        var (_, isaiah, _) = await fx.GetAsync($"users/{Seed.Isaiah}/transitiveMemberOf");

        var alexGroups = alex!["value"]!.AsArray().Select(v => (string?)v!["id"]).ToList();
        Assert.Contains(Seed.IdentityTeam, alexGroups);
        Assert.Contains(Seed.TapApprovers, alexGroups); // through Identity Team
        var role = isaiah!["value"]!.AsArray().Single(v => (string?)v!["@odata.type"] == "#microsoft.graph.directoryRole");
        Assert.Equal(Seed.GlobalAdministrator, (string?)role!["roleTemplateId"]);
    }

    [Fact]
    public async Task MemberOf_lists_direct_groups_only()
    {
        var (_, alex, _) = await fx.GetAsync($"users/{Seed.Alex}/memberOf");

        Assert.Equal([Seed.IdentityTeam], alex!["value"]!.AsArray().Select(v => (string)v!["id"]!).ToArray());
    }

    [Fact]
    public async Task CheckMemberGroups_is_transitive_and_limited_to_20_ids()
    {
        var (_, matched, _) = await fx.SendAsync(HttpMethod.Post, $"users/{Seed.Alex}/checkMemberGroups",
            new JsonObject { ["groupIds"] = new JsonArray(Seed.TapApprovers, Seed.PolicyAdmins) });
        var tooMany = new JsonArray(Enumerable.Range(0, 21).Select(i => (JsonNode)JsonValue.Create(Guid.NewGuid().ToString())).ToArray());
        var (status, _, _) = await fx.SendAsync(HttpMethod.Post, $"users/{Seed.Alex}/checkMemberGroups", new JsonObject { ["groupIds"] = tooMany });

        Assert.Equal([Seed.TapApprovers], matched!["value"]!.AsArray().Select(v => (string)v!).ToArray());
        Assert.Equal(400, status);
    }

    [Fact]
    public async Task Group_transitive_members_include_users_of_nested_groups()
    {
        var (_, body, _) = await fx.GetAsync($"groups/{Seed.TapApprovers}/transitiveMembers?$select=id");

        var users = body!["value"]!.AsArray().Where(v => (string?)v!["@odata.type"] == "#microsoft.graph.user").Select(v => (string?)v!["id"]);
        Assert.Equal(new[] { Seed.Adele, Seed.Alex }, users.OfType<string>().Order().ToArray());
    }

    [Fact]
    public async Task New_hires_start_in_the_future_and_johanna_has_her_methods()
    {
        var now = fx.Time.GetUtcNow();
        foreach (var id in new[] { Seed.Diego, Seed.Lynne, Seed.Pradeep })
        {
            var (_, user, _) = await fx.GetAsync($"users/{id}?$select=employeeHireDate");
            Assert.True(DateTimeOffset.Parse((string)user!["employeeHireDate"]!, CultureInfo.InvariantCulture) > now);
        }
        var (_, methods, _) = await fx.GetAsync($"users/{Seed.Johanna}/authentication/methods");

        Assert.Equal(
            ["#microsoft.graph.fido2AuthenticationMethod", "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod", "#microsoft.graph.passwordAuthenticationMethod"],
            methods!["value"]!.AsArray().Select(m => (string)m!["@odata.type"]!).Order().ToArray());
    }

    [Fact]
    public async Task Every_member_has_a_password_method()
    {
        foreach (var user in fx.Tenant.State.Users.Where(u => u.UserType == "Member"))
        {
            Assert.Contains(user.Methods, m => m.Type == "password");
        }
        await Task.CompletedTask;
    }

    [Fact]
    public async Task The_tap_policy_patch_needs_the_odata_type_and_valid_ranges()
    {
        var path = "policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass";
        var (noType, _, _) = await fx.SendAsync(HttpMethod.Patch, path, new JsonObject { ["defaultLength"] = 10 });
        var (badRange, badBody, _) = await fx.SendAsync(HttpMethod.Patch, path, new JsonObject
        {
            ["@odata.type"] = "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration",
            ["minimumLifetimeInMinutes"] = 500,
        });
        var (ok, _, _) = await fx.SendAsync(HttpMethod.Patch, path, new JsonObject
        {
            ["@odata.type"] = "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration",
            ["defaultLength"] = 12,
        });
        var (_, policy, _) = await fx.GetAsync(path);

        Assert.Equal(400, noType);
        Assert.Equal(400, badRange);
        Assert.Contains("minimumLifetimeInMinutes", (string?)badBody!["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(204, ok);
        Assert.Equal(12, (int)policy!["defaultLength"]!);
        Assert.Equal(480, (int)policy["maximumLifetimeInMinutes"]!); // omitted properties keep their values
    }

    [Fact]
    public async Task A_created_pass_is_shown_once_and_never_logged()
    {
        var (status, created, _) = await fx.SendAsync(HttpMethod.Post, $"users/{Seed.Diego}/authentication/temporaryAccessPassMethods",
            new JsonObject { ["lifetimeInMinutes"] = 60, ["isUsableOnce"] = true });
        var pass = (string)created!["temporaryAccessPass"]!;
        var (_, listed, _) = await fx.GetAsync($"users/{Seed.Diego}/authentication/temporaryAccessPassMethods");
        var logJson = await fx.Http.GetStringAsync("_dev/requests");

        Assert.Equal(201, status);
        Assert.Equal(8, pass.Length);
        var item = Assert.Single(listed!["value"]!.AsArray());
        Assert.Null(item!["temporaryAccessPass"]);
        Assert.False(logJson.Contains(pass, StringComparison.Ordinal), "the request log holds a pass value");
    }

    [Fact]
    public async Task Batches_over_20_requests_or_with_duplicate_ids_are_refused()
    {
        JsonObject Batch(IEnumerable<string> ids) => new()
        {
            ["requests"] = new JsonArray(ids.Select(id => (JsonNode)new JsonObject { ["id"] = id, ["method"] = "GET", ["url"] = $"/users/{Seed.Megan}" }).ToArray()),
        };
        var (tooMany, _, _) = await fx.SendAsync(HttpMethod.Post, "$batch", Batch(Enumerable.Range(1, 21).Select(i => i.ToString(CultureInfo.InvariantCulture))));
        var (duplicate, _, _) = await fx.SendAsync(HttpMethod.Post, "$batch", Batch(["1", "2", "1"]));
        var (twenty, body, _) = await fx.SendAsync(HttpMethod.Post, "$batch", Batch(Enumerable.Range(1, 20).Select(i => i.ToString(CultureInfo.InvariantCulture))));

        Assert.Equal(400, tooMany);
        Assert.Equal(400, duplicate);
        Assert.Equal(200, twenty);
        Assert.Equal(20, body!["responses"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_batch_answers_a_status_per_item_and_honours_dependsOn()
    {
        var batch = JsonNode.Parse($$"""
            { "requests": [
              { "id": "a", "method": "GET", "url": "/users/{{Seed.Megan}}/manager" },
              { "id": "b", "method": "GET", "url": "/users/{{Seed.Diego}}/manager?$select=id", "dependsOn": ["a"] },
              { "id": "c", "method": "POST", "url": "/users/{{Seed.Alex}}/checkMemberGroups",
                "headers": { "Content-Type": "application/json" }, "body": { "groupIds": ["{{Seed.TapApprovers}}"] } },
              { "id": "d", "method": "GET", "url": "/users/{{Seed.JoniUpn}}?$select=id" }
            ] }
            """)!;
        var (status, body, _) = await fx.SendAsync(HttpMethod.Post, "$batch", batch);

        var byId = body!["responses"]!.AsArray().ToDictionary(r => (string)r!["id"]!, r => r!);
        Assert.Equal(200, status);
        Assert.Equal(404, (int)byId["a"]["status"]!);
        Assert.Equal(424, (int)byId["b"]["status"]!);
        Assert.Equal(200, (int)byId["c"]["status"]!);
        Assert.Equal(Seed.Joni, (string?)byId["d"]["body"]!["id"]); // '#' in an unescaped batch url is part of the UPN
    }

    [Fact]
    public async Task A_body_without_content_type_in_a_batch_is_refused()
    {
        var batch = JsonNode.Parse($$"""
            { "requests": [ { "id": "1", "method": "POST", "url": "/users/{{Seed.Alex}}/checkMemberGroups", "body": { "groupIds": [] } } ] }
            """)!;
        var (status, _, _) = await fx.SendAsync(HttpMethod.Post, "$batch", batch);

        Assert.Equal(400, status);
    }

    [Fact]
    public async Task The_request_log_counts_round_trips_and_batch_items_separately()
    {
        await fx.GetAsync($"users/{Seed.Megan}?$select=id");
        var batch = new JsonObject
        {
            ["requests"] = new JsonArray(
                new JsonObject { ["id"] = "1", ["method"] = "GET", ["url"] = $"/users/{Seed.Megan}" },
                new JsonObject { ["id"] = "2", ["method"] = "GET", ["url"] = $"/users/{Seed.Nestor}" }),
        };
        await fx.SendAsync(HttpMethod.Post, "$batch", batch);
        var report = JsonNode.Parse(await fx.Http.GetStringAsync("_dev/requests"))!;

        Assert.Equal(2, fx.Tenant.RequestLog.RoundTrips);
        Assert.Equal(2, fx.Tenant.RequestLog.BatchItems);
        Assert.Equal(2, (int)report["roundTrips"]!);
        var first = fx.Tenant.RequestLog.Entries[0];
        Assert.Equal(("GET", $"/users/{Seed.Megan}", "$select=id", 200), (first.Method, first.Path, first.Query, first.Status));
        var batchEntry = fx.Tenant.RequestLog.Entries.Single(e => e.Path == "/$batch");
        Assert.All(fx.Tenant.RequestLog.Entries.Where(e => e.InBatch), e => Assert.Equal(batchEntry.Sequence, e.BatchSequence));

        var cleared = await fx.Http.DeleteAsync("_dev/requests");
        Assert.Equal(204, (int)cleared.StatusCode);
        Assert.Empty(fx.Tenant.RequestLog.Entries);
    }

    [Fact]
    public async Task Faults_switched_on_over_http_answer_429_with_retry_after_until_removed()
    {
        var added = await fx.Http.PostAsJsonAsync("_dev/faults", new { method = "GET", path = "/users/*/manager", kind = "Throttle", rate = 1.0, retryAfterSeconds = 7 });
        var rule = JsonNode.Parse(await added.Content.ReadAsStringAsync())!;
        var (throttled, _, response) = await fx.GetAsync($"users/{Seed.Diego}/manager");
        var (other, _, _) = await fx.GetAsync($"users/{Seed.Diego}");
        await fx.Http.DeleteAsync($"_dev/faults/{(string)rule["id"]!}");
        var (after, _, _) = await fx.GetAsync($"users/{Seed.Diego}/manager");

        Assert.Equal(201, (int)added.StatusCode);
        Assert.Equal(429, throttled);
        Assert.Equal("7", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal(200, other);
        Assert.Equal(200, after);
    }

    [Fact]
    public async Task Faults_reach_batch_items_through_the_same_rules()
    {
        fx.Tenant.Faults.Unavailable("/users/*/manager", retryAfterSeconds: 0);
        var batch = new JsonObject
        {
            ["requests"] = new JsonArray(
                new JsonObject { ["id"] = "1", ["method"] = "GET", ["url"] = $"/users/{Seed.Diego}/manager" },
                new JsonObject { ["id"] = "2", ["method"] = "GET", ["url"] = $"/users/{Seed.Diego}" }),
        };
        var (status, body, _) = await fx.SendAsync(HttpMethod.Post, "$batch", batch);

        var statuses = body!["responses"]!.AsArray().ToDictionary(r => (string)r!["id"]!, r => (int)r!["status"]!);
        Assert.Equal(200, status);
        Assert.Equal(503, statuses["1"]);
        Assert.Equal(200, statuses["2"]);
        Assert.Equal(1, fx.Tenant.Faults.Rules.Single().Hits);
    }

    [Fact]
    public void Rate_based_faults_repeat_with_the_same_seed()
    {
        static List<bool> Draw(FaultInjector faults) =>
            Enumerable.Range(0, 40).Select(_ => faults.Decide("GET", "/users/x", inBatch: false).Failure is not null).ToList();
        var one = new FaultInjector(7);
        var two = new FaultInjector(7);
        one.Throttle("/users", rate: 0.5);
        two.Throttle("/users", rate: 0.5);

        var first = Draw(one);
        Assert.Equal(first, Draw(two));
        Assert.Contains(true, first);
        Assert.Contains(false, first);
    }

    [Fact]
    public async Task Latency_faults_delay_the_answer_but_keep_it()
    {
        fx.Tenant.Faults.Delay($"/users/{Seed.Megan}", TimeSpan.FromMilliseconds(50));
        var (status, _, _) = await fx.GetAsync($"users/{Seed.Megan}");

        Assert.Equal(200, status);
        Assert.Equal(1, fx.Tenant.Faults.Rules.Single().Hits);
    }

    [Fact]
    public async Task Ca_bodies_that_do_not_match_the_schema_get_the_1007_error()
    {
        var unknownProperty = RegistrationPolicies.Members();
        unknownProperty["conditions"]!["users"]!["includeEveryone"] = true;
        var wrongType = RegistrationPolicies.Members();
        wrongType["conditions"]!["clientAppTypes"] = "all";
        var annotation = RegistrationPolicies.Members();
        annotation["grantControls"]!["authenticationStrength@odata.context"] = "x";
        var badState = RegistrationPolicies.Members(state: "on");

        foreach (var body in new[] { unknownProperty, wrongType, annotation, badState })
        {
            var (status, answer, _) = await fx.SendAsync(HttpMethod.Post, "identity/conditionalAccess/policies", body);
            Assert.Equal(400, status);
            Assert.StartsWith("1007: Incoming ConditionalAccessPolicy object is null or does not match the schema",
                (string?)answer!["error"]!["message"], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Ca_create_enforces_the_services_rules()
    {
        var appsAndActions = RegistrationPolicies.Members();
        appsAndActions["conditions"]!["applications"]!["includeApplications"] = new JsonArray("All");
        var noUsers = RegistrationPolicies.Members();
        noUsers["conditions"]!["users"] = new JsonObject { ["excludeUsers"] = new JsonArray(Seed.BreakGlass1) };
        var noControls = RegistrationPolicies.Members();
        noControls.Remove("grantControls");
        var noTarget = RegistrationPolicies.Members();
        noTarget["conditions"]!["applications"] = new JsonObject();
        var placeholder = RegistrationPolicies.Members();
        placeholder["conditions"]!["users"]!["excludeUsers"] = new JsonArray("Current administrator will be excluded");

        foreach (var body in new[] { appsAndActions, noUsers, noControls, noTarget, placeholder })
        {
            var (status, answer, _) = await fx.SendAsync(HttpMethod.Post, "identity/conditionalAccess/policies", body);
            Assert.Equal(400, status);
            Assert.DoesNotContain("1007", (string?)answer!["error"]!["message"], StringComparison.Ordinal);
        }
        Assert.Equal(2, fx.Tenant.State.ConditionalAccessPolicies.Count);
    }

    [Fact]
    public async Task Ca_read_only_fields_are_set_by_the_service()
    {
        var body = RegistrationPolicies.Guests();
        body["id"] = "my-own-id";
        body["createdDateTime"] = "2001-01-01T00:00:00Z";
        var (status, created, _) = await fx.SendAsync(HttpMethod.Post, "identity/conditionalAccess/policies", body);
        var id = (string)created!["id"]!;
        fx.Time.Advance(TimeSpan.FromMinutes(5));
        var (patched, _, _) = await fx.SendAsync(HttpMethod.Patch, $"identity/conditionalAccess/policies/{id}",
            new JsonObject { ["state"] = "enabled", ["modifiedDateTime"] = "2001-01-01T00:00:00Z" });
        var (_, read, _) = await fx.GetAsync($"identity/conditionalAccess/policies/{id}");

        Assert.Equal(201, status);
        Assert.NotEqual("my-own-id", id);
        Assert.True(Guid.TryParse(id, out _));
        Assert.Equal(fx.Time.GetUtcNow().AddMinutes(-5), DateTimeOffset.Parse((string)created["createdDateTime"]!, CultureInfo.InvariantCulture));
        Assert.Null(created["modifiedDateTime"]);
        Assert.Equal(204, patched);
        Assert.Equal("enabled", (string?)read!["state"]);
        Assert.Equal(fx.Time.GetUtcNow(), DateTimeOffset.Parse((string)read["modifiedDateTime"]!, CultureInfo.InvariantCulture));
        Assert.Equal("block", (string?)read["grantControls"]!["builtInControls"]![0]); // PATCH kept what it did not name
    }

    [Fact]
    public async Task Ca_get_expands_an_authentication_strength_with_its_annotation()
    {
        var body = RegistrationPolicies.Members();
        body["grantControls"] = new JsonObject
        {
            ["operator"] = "OR",
            ["builtInControls"] = new JsonArray(),
            ["authenticationStrength"] = new JsonObject { ["id"] = "00000000-0000-0000-0000-000000000002" },
        };
        var (_, created, _) = await fx.SendAsync(HttpMethod.Post, "identity/conditionalAccess/policies", body);
        var (_, read, _) = await fx.GetAsync($"identity/conditionalAccess/policies/{(string)created!["id"]!}");

        var grant = read!["grantControls"]!.AsObject();
        Assert.True(grant.ContainsKey("authenticationStrength@odata.context"));
        Assert.Equal("Multifactor authentication", (string?)grant["authenticationStrength"]!["displayName"]);
        Assert.Contains("temporaryAccessPassOneTime", grant["authenticationStrength"]!["allowedCombinations"]!.AsArray().Select(c => (string?)c));
    }

    [Fact]
    public async Task Named_locations_are_created_for_ip_ranges_and_countries()
    {
        var ip = JsonNode.Parse("""
            { "@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "Branch office", "isTrusted": true,
              "ipRanges": [ { "@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "12.34.221.11/22" },
                            { "@odata.type": "#microsoft.graph.iPv6CidrRange", "cidrAddress": "2001:db8::/48" } ] }
            """)!;
        var country = JsonNode.Parse("""
            { "@odata.type": "#microsoft.graph.countryNamedLocation", "displayName": "Portugal", "countriesAndRegions": ["PT"] }
            """)!;
        var broken = JsonNode.Parse("""
            { "@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "Broken",
              "ipRanges": [ { "@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "2001:db8::/48" } ] }
            """)!;

        var (ipStatus, ipCreated, _) = await fx.SendAsync(HttpMethod.Post, "identity/conditionalAccess/namedLocations", ip);
        var (countryStatus, countryCreated, _) = await fx.SendAsync(HttpMethod.Post, "identity/conditionalAccess/namedLocations", country);
        var (brokenStatus, _, _) = await fx.SendAsync(HttpMethod.Post, "identity/conditionalAccess/namedLocations", broken);
        var (_, list, _) = await fx.GetAsync("identity/conditionalAccess/namedLocations");

        Assert.Equal(201, ipStatus);
        Assert.Equal(201, countryStatus);
        Assert.Equal("clientIpAddress", (string?)countryCreated!["countryLookupMethod"]);
        Assert.NotNull(ipCreated!["id"]);
        Assert.Equal(400, brokenStatus);
        Assert.Equal(4, list!["value"]!.AsArray().Count);
    }

    [Fact]
    public async Task Sign_ins_filter_by_date_policy_and_user_with_top_and_paging()
    {
        var now = fx.Time.GetUtcNow();
        var since = now.AddHours(-30).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var (_, recent, _) = await fx.GetAsync($"auditLogs/signIns?$filter=createdDateTime ge {since}");
        var (_, forPolicy, _) = await fx.GetAsync(
            $"auditLogs/signIns?$filter=createdDateTime ge {since} and appliedConditionalAccessPolicies/any(p:p/id eq '{Seed.BlockLegacyAuth}' and p/result eq 'failure')");
        var (_, forUser, _) = await fx.GetAsync($"auditLogs/signIns?$filter=userId eq '{Seed.Isaiah}'");
        var (_, firstPage, _) = await fx.GetAsync("auditLogs/signIns?$top=2");
        var next = new Uri((string)firstPage!["@odata.nextLink"]!);
        var (_, secondPage, _) = await fx.GetAsync(next.PathAndQuery["/v1.0/".Length..]);
        var (bad, _, _) = await fx.GetAsync("auditLogs/signIns?$filter=startswith(userPrincipalName,'a')");

        Assert.Equal(4, recent!["value"]!.AsArray().Count);
        Assert.Equal(Seed.Nestor, (string?)Assert.Single(forPolicy!["value"]!.AsArray())!["userId"]);
        Assert.Equal(Seed.Isaiah, (string?)Assert.Single(forUser!["value"]!.AsArray())!["userId"]);
        Assert.Equal(2, firstPage["value"]!.AsArray().Count);
        Assert.Equal(2, secondPage!["value"]!.AsArray().Count);
        Assert.NotEqual((string?)firstPage["value"]![0]!["id"], (string?)secondPage["value"]![0]!["id"]);
        var dates = recent["value"]!.AsArray().Select(s => DateTimeOffset.Parse((string)s!["createdDateTime"]!, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(dates.OrderByDescending(d => d), dates); // newest first
        Assert.Equal(400, bad);
    }

    [Fact]
    public async Task Report_only_results_need_the_prefer_header()
    {
        fx.Tenant.State.AddSignIn(new JsonObject
        {
            ["userId"] = Seed.Megan,
            ["appliedConditionalAccessPolicies"] = new JsonArray(new JsonObject { ["id"] = "p1", ["result"] = "reportOnlyFailure" }),
        });
        var (_, hidden, _) = await fx.GetAsync("auditLogs/signIns?$filter=appliedConditionalAccessPolicies/any(p:p/id eq 'p1')");
        var (_, shown, response) = await fx.GetAsync("auditLogs/signIns?$filter=appliedConditionalAccessPolicies/any(p:p/id eq 'p1')",
            r => r.Headers.Add("Prefer", "include-unknown-enum-members"));

        Assert.Equal("unknownFutureValue", (string?)hidden!["value"]![0]!["appliedConditionalAccessPolicies"]![0]!["result"]);
        Assert.Equal("reportOnlyFailure", (string?)shown!["value"]![0]!["appliedConditionalAccessPolicies"]![0]!["result"]);
        Assert.Equal("include-unknown-enum-members", response.Headers.GetValues("Preference-Applied").Single());
    }

    [Fact]
    public async Task Ca_throttling_is_off_by_default()
    {
        var statuses = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await fx.GetAsync("identity/conditionalAccess/policies")).Status);
        }

        Assert.All(statuses, s => Assert.Equal(200, s));
    }

    [Fact]
    public async Task Unknown_segments_and_methods_answer_like_graph()
    {
        var (unknown, _, _) = await fx.GetAsync("users/x/favouriteThings");
        var (method, _, _) = await fx.SendAsync(HttpMethod.Put, $"users/{Seed.Megan}");

        Assert.Equal(400, unknown);
        Assert.Equal(405, method);
    }
}
