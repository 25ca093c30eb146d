using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Net.Sockets;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Testing;

namespace Datakeen.Portal.IntegrationTests.Gateway;

// The gateway with the product's failure limit (20 failed keys per address and minute), not the relaxed one of
// GatewayFixture: the API and the gateway admit keys through one path (KeyAdmission), so they cannot disagree.
public sealed class StrictGatewayFixture : GatewayFixture
{
    protected override Dictionary<string, string?> Settings => new() { ["Gateway:SharedSecret"] = SharedSecret };
}

public sealed class GatewayAdmissionTests(StrictGatewayFixture gateway) : IClassFixture<StrictGatewayFixture>
{
    [Fact]
    public async Task A_valid_key_is_admitted_from_an_address_just_refused_for_guessing()
    {
        var workspace = await TestWorkspaces.CreateAsync(gateway.Portal);
        using var client = ClientFromOwnAddress();

        // 30 requests from this address with a malformed or unknown key (and a few without any): the last bad ones
        // are refused for guessing (429), which proves the address is over its limit.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 35; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/backend/v1/journeys");
            if (i % 7 == 3)
            {
                // no key at all
            }
            else if (i % 2 == 0)
            {
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer not-a-key");
            }
            else
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", KeyFormat.Generate(KeyEnvironment.Test, KeyKind.Secret));
            }

            using var response = await client.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.Equal(HttpStatusCode.Unauthorized, statuses[0]);
        using var valid = new HttpRequestMessage(HttpMethod.Get, "/backend/v1/journeys");
        valid.Headers.Authorization = new AuthenticationHeaderValue("Bearer", workspace.TestSecretKey);
        using var admitted = await client.SendAsync(valid);

        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        Assert.Contains($"workspace={workspace.Id:D}", await admitted.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Requests_without_a_key_do_not_count_toward_the_failure_limit()
    {
        using var client = ClientFromOwnAddress();
        // More keyless requests than the limit allows failed keys: none of them is a guess.
        for (var i = 0; i < 25; i++)
        {
            using var keyless = await client.GetAsync("/api/v1/public/documents");
            Assert.Equal(HttpStatusCode.Unauthorized, keyless.StatusCode);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/documents");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", KeyFormat.Generate(KeyEnvironment.Test, KeyKind.Secret));
        using var response = await client.SendAsync(request);

        // A bad key is still answered 401 (not 429): the keyless requests left the address's budget untouched.
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("invalid_api_key", problem.GetProperty("code").GetString());
    }

    // Each test calls from an address of its own (127.x.y.z: all of 127/8 is loopback), so one test's bad keys
    // never spend another's budget, in any order.
    private HttpClient ClientFromOwnAddress()
    {
        var bytes = Guid.NewGuid().ToByteArray();
        var source = new IPAddress([127, bytes[0], bytes[1], (byte)(bytes[2] | 1)]);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        return new HttpClient(handler) { BaseAddress = gateway.Nginx.Address };
    }
}
