using TeamsBot.DevTenant.Tenant;
using TeamsBot.Directory;
using TeamsBot.Tests.DevTenant;

namespace TeamsBot.Tests.Directory;

/// <summary>ITemporaryAccessPasses and ITapPolicySource through the Graph SDK. Pass values are checked, never printed.</summary>
public sealed class TemporaryAccessPassTests : IClassFixture<SimulatedTenantFixture>
{
    private readonly SimulatedTenantFixture fx;
    private readonly ITemporaryAccessPasses passes;

    public TemporaryAccessPassTests(SimulatedTenantFixture fixture)
    {
        fx = fixture;
        fx.Reset();
        passes = fx.Get<ITemporaryAccessPasses>();
    }

    private static TapIssueOptions Options(int lifetime = 60, bool once = true, DateTimeOffset? start = null) => new(start, lifetime, once);

    [Fact]
    public async Task Creates_a_pass_of_the_policys_length()
    {
        var issued = await passes.CreateAsync(Seed.Diego, Options(lifetime: 120));

        Assert.Equal(8, issued.Pass.Length);
        Assert.Equal(120, issued.LifetimeInMinutes);
        Assert.True(issued.IsUsableOnce);
        Assert.Equal(fx.Time.GetUtcNow(), issued.CreatedDateTime);
        Assert.Equal(issued.CreatedDateTime, issued.StartDateTime);
        Assert.False(issued.ToString().Contains(issued.Pass, StringComparison.Ordinal), "ToString shows the pass");
    }

    [Fact]
    public async Task Passes_differ_and_a_new_one_replaces_the_old()
    {
        var first = await passes.CreateAsync(Seed.Diego, Options());
        var second = await passes.CreateAsync(Seed.Diego, Options());

        var listed = await passes.ListAsync(Seed.Diego);

        Assert.False(first.Pass == second.Pass, "two passes were equal");
        Assert.Equal(second.MethodId, Assert.Single(listed).Id);
    }

    [Fact]
    public async Task Usability_follows_the_clock()
    {
        var start = fx.Time.GetUtcNow().AddHours(2);
        var issued = await passes.CreateAsync(Seed.Pradeep, Options(lifetime: 60, start: start));

        var before = Assert.Single(await passes.ListAsync(Seed.Pradeep));
        fx.Time.Advance(TimeSpan.FromHours(2.5));
        var during = Assert.Single(await passes.ListAsync(Seed.Pradeep));
        fx.Time.Advance(TimeSpan.FromHours(1));
        var after = Assert.Single(await passes.ListAsync(Seed.Pradeep));

        Assert.Equal(start, issued.StartDateTime);
        Assert.Equal((false, "NotYetValid"), (before.IsUsable, before.MethodUsabilityReason));
        Assert.Equal((true, "EnabledByPolicy"), (during.IsUsable, during.MethodUsabilityReason));
        Assert.Equal((false, "Expired"), (after.IsUsable, after.MethodUsabilityReason));
    }

    [Fact]
    public async Task A_used_one_time_pass_reads_as_used()
    {
        await passes.CreateAsync(Seed.Lynne, Options(once: true));
        fx.Tenant.State.MarkTapUsed(Seed.Lynne);

        var method = Assert.Single(await passes.ListAsync(Seed.Lynne));

        Assert.Equal((false, "OneTimeUsed"), (method.IsUsable, method.MethodUsabilityReason));
    }

    [Fact]
    public async Task Deletes_a_pass_and_reports_when_it_is_gone()
    {
        var issued = await passes.CreateAsync(Seed.Diego, Options());

        Assert.True(await passes.DeleteAsync(Seed.Diego, issued.MethodId));
        Assert.False(await passes.DeleteAsync(Seed.Diego, issued.MethodId));
        Assert.Empty(await passes.ListAsync(Seed.Diego));
    }

    [Fact]
    public async Task An_internal_guest_can_get_a_pass()
    {
        var issued = await passes.CreateAsync(Seed.Irvin, Options());

        Assert.Equal(8, issued.Pass.Length);
    }

    [Fact]
    public async Task An_external_guest_is_refused()
    {
        var error = await Assert.ThrowsAsync<DirectoryException>(() => passes.CreateAsync(Seed.Joni, Options()));

        Assert.Equal(DirectoryErrorKind.Refused, error.Kind);
        Assert.Equal("A Temporary Access Pass cannot be added to an external guest user.", error.Message);
    }

    [Fact]
    public async Task A_user_excluded_from_the_policy_is_refused()
    {
        var error = await Assert.ThrowsAsync<DirectoryException>(() => passes.CreateAsync(Seed.Enrico, Options()));

        Assert.Equal(DirectoryErrorKind.Refused, error.Kind);
        Assert.Contains("TAP policy does not allow", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_disabled_policy_refuses_every_pass()
    {
        fx.Tenant.State.TapPolicy = fx.Tenant.State.TapPolicy with { State = "disabled" };

        var error = await Assert.ThrowsAsync<DirectoryException>(() => passes.CreateAsync(Seed.Diego, Options()));

        Assert.Equal(DirectoryErrorKind.Refused, error.Kind);
        Assert.Equal(400, error.StatusCode);
    }

    [Fact]
    public async Task A_lifetime_outside_the_policy_range_is_a_bad_request_naming_the_range()
    {
        var tooShort = await Assert.ThrowsAsync<DirectoryException>(() => passes.CreateAsync(Seed.Diego, Options(lifetime: 30)));
        var tooLong = await Assert.ThrowsAsync<DirectoryException>(() => passes.CreateAsync(Seed.Diego, Options(lifetime: 481)));

        Assert.Equal(DirectoryErrorKind.BadRequest, tooShort.Kind);
        Assert.Contains("The valid range between 60 and 480", tooShort.Message, StringComparison.Ordinal);
        Assert.Equal(DirectoryErrorKind.BadRequest, tooLong.Kind);
    }

    [Fact]
    public async Task A_multi_use_pass_is_refused_when_the_policy_wants_one_time_passes()
    {
        fx.Tenant.State.TapPolicy = fx.Tenant.State.TapPolicy with { IsUsableOnce = true };

        var error = await Assert.ThrowsAsync<DirectoryException>(() => passes.CreateAsync(Seed.Diego, Options(once: false)));
        var oneTime = await passes.CreateAsync(Seed.Diego, Options(once: true));

        Assert.Equal(DirectoryErrorKind.Refused, error.Kind);
        Assert.Equal("The TAP policy only allows one-time passes.", error.Message);
        Assert.True(oneTime.IsUsableOnce);
    }

    [Fact]
    public async Task A_missing_user_is_not_found()
    {
        var error = await Assert.ThrowsAsync<DirectoryException>(() => passes.CreateAsync("ghost@contoso.com", Options()));

        Assert.Equal(DirectoryErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task The_policy_source_reads_the_tenant_policy()
    {
        fx.Tenant.State.TapPolicy = fx.Tenant.State.TapPolicy with
        {
            DefaultLength = 12,
            MaximumLifetimeInMinutes = 600,
            IncludeTargets = [new TapTarget("group", Seed.TapRequesters)],
        };

        var policy = await fx.Get<ITapPolicySource>().GetAsync();

        Assert.Equal((true, 12, 600), (policy.Enabled, policy.DefaultLength, policy.MaximumLifetimeInMinutes));
        Assert.Equal([new TapPolicyTarget("group", Seed.TapRequesters)], policy.IncludeTargets);
        Assert.Equal([new TapPolicyTarget("group", Seed.TapExcluded)], policy.ExcludeTargets);
    }

    [Fact]
    public async Task A_longer_default_length_gives_longer_passes()
    {
        fx.Tenant.State.TapPolicy = fx.Tenant.State.TapPolicy with { DefaultLength = 16 };

        var issued = await passes.CreateAsync(Seed.Diego, Options());

        Assert.Equal(16, issued.Pass.Length);
    }
}
