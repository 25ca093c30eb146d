using Datakeen.Portal.Auth;
using Datakeen.Portal.Auth.Sessions;
using Datakeen.Portal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.IntegrationTests.Auth;

// Step-up trusts only what the provider asserts: a sign-in without auth_time is not recent, and a step-up round
// trip (max_age=0) counts only when the provider says credentials were entered after the challenge.
public static class StepUpAuthTimeTests
{
    // A provider that sends auth_time only when max_age is requested (OpenID Connect Core allows it).
    public sealed class SilentProviderStack : PortalStack
    {
        protected override string[] ExtraIdentityArgs => ["--DevIdentity:AuthTime=WhenMaxAgeRequested"];
    }

    public sealed class WithoutAuthTime(SilentProviderStack stack) : IClassFixture<SilentProviderStack>
    {
        [Fact]
        public async Task A_sign_in_without_auth_time_needs_step_up_and_the_max_age_round_trip_satisfies_it()
        {
            using var signedIn = await stack.SignInAsync("admin@globex.test");
            var stepUp = stack.Service<StepUp>();
            var session = await LatestSessionAsync(stack, "admin@globex.test");

            Assert.Equal(ActorCheck.ReauthenticationRequired,
                await stepUp.CheckAsync(new Actor(session.UserId, "admin", null, null) { SessionId = session.Id }, needsRecentSignIn: true));

            using var challenge = await signedIn.Client.GetAsync("/authentication/login?reauthenticate=true&returnUrl=%2Fw%2Fglobex%2Fapi");
            using var form = await OidcSignIn.FollowAsync(signedIn.Client, challenge, stopAfterCallback: false);
            using var posted = await OidcSignIn.SubmitFormAsync(signedIn.Client, form, "admin@globex.test");
            using var callback = await OidcSignIn.FollowAsync(signedIn.Client, posted, stopAfterCallback: true);

            Assert.Equal("/w/globex/api", callback.Headers.Location!.OriginalString);
            var fresh = await LatestSessionAsync(stack, "admin@globex.test");
            Assert.Equal(ActorCheck.Ok,
                await stepUp.CheckAsync(new Actor(fresh.UserId, "admin", null, null) { SessionId = fresh.Id }, needsRecentSignIn: true));
        }
    }

    // A provider that ignores prompt=login and max_age and sends back the auth_time of its old sign-in. The
    // portal's clock runs a minute ahead, so that old sign-in is surely before the challenge.
    public sealed class IgnoringProviderStack : PortalStack
    {
        protected override string[] ExtraIdentityArgs => ["--DevIdentity:AuthTime=IgnoreReauthentication"];

        protected override void ConfigureTestServices(IServiceCollection services) =>
            services.AddSingleton<TimeProvider>(new ShiftedTime(TimeSpan.FromMinutes(1)));

        private sealed class ShiftedTime(TimeSpan offset) : TimeProvider
        {
            public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
        }
    }

    public sealed class ProviderIgnoringMaxAge(IgnoringProviderStack stack) : IClassFixture<IgnoringProviderStack>
    {
        [Fact]
        public async Task A_step_up_answered_with_an_auth_time_older_than_the_challenge_fails_and_the_session_stays_as_it_was()
        {
            using var signedIn = await stack.SignInAsync("admin@acme.test");
            var before = await LatestSessionAsync(stack, "admin@acme.test");

            using var challenge = await signedIn.Client.GetAsync("/authentication/login?reauthenticate=true&returnUrl=%2Fw%2Facme%2Fapi");
            using var callback = await OidcSignIn.FollowAsync(signedIn.Client, challenge, stopAfterCallback: true);

            Assert.Equal("/signin-oidc", callback.RequestMessage!.RequestUri!.AbsolutePath);
            Assert.Equal("/authentication/failed", callback.Headers.Location!.OriginalString);
            var after = await LatestSessionAsync(stack, "admin@acme.test");
            Assert.Equal(before.Id, after.Id);
            Assert.Null(after.RevokedAt);
            Assert.Equal(before.AuthenticatedAt, after.AuthenticatedAt);
        }
    }

    private static async Task<UserSession> LatestSessionAsync(PortalStack stack, string email)
    {
        await using var db = stack.CreateDbContext();
        return await db.UserSessions.AsNoTracking().Where(s => s.User!.Email == email)
            .OrderByDescending(s => s.CreatedAt).FirstAsync();
    }
}
