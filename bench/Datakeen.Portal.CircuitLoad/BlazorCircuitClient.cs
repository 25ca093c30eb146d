using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Datakeen.Portal.CircuitLoad;

// A minimal Blazor Server client, doing on the wire what blazor.web.js does to turn a prerendered page into
// an interactive circuit, without a browser:
//   1. GET the page with the signed-in cookie; read its server component markers (<!--Blazor:{...}-->) and the
//      persisted component state (<!--Blazor-Server-Component-State:...-->);
//   2. negotiate and open the /_blazor WebSocket with the framework's own "blazorpack" hub protocol (the
//      server's BlazorPackHubProtocol, instantiated by reflection, so the framing is exactly the server's);
//   3. invoke StartCircuit, then send UpdateRootComponents with an "add" operation per marker and the state;
//   4. acknowledge every render batch (OnRenderCompleted) and answer every JS interop call with a null result,
//      as a page whose scripts do nothing would, and ping every 10 s so the server keeps the connection.
// It keeps no DOM: a render batch is only searched for a UTF-8 string (the meter's aria-valuetext).
internal sealed partial class BlazorCircuitClient : IAsyncDisposable
{
    private static readonly IHubProtocol Protocol = (IHubProtocol)Activator.CreateInstance(
        Type.GetType("Microsoft.AspNetCore.Components.Server.BlazorPack.BlazorPackHubProtocol, Microsoft.AspNetCore.Components.Server", throwOnError: true)!,
        nonPublic: true)!;

    public static readonly ConcurrentDictionary<string, int> JsCalls = new();

    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Binder _binder = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<string> _circuitId = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _receiving;
    private byte[]? _awaited;
    private TaskCompletionSource<long>? _seen;

    public int RenderBatches { get; private set; }

    public string? Error { get; private set; }

    public static async Task<BlazorCircuitClient> OpenAsync(HttpClient http, Uri pageUrl, string cookie, string awaitedText,
        CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pageUrl);
        request.Headers.Add("Cookie", cookie);
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        var html = await response.Content.ReadAsStringAsync(ct);
        var markers = Marker().Matches(html).Select(m => JsonDocument.Parse(m.Groups["json"].Value).RootElement.Clone())
            .Where(m => m.TryGetProperty("type", out var type) && type.GetString() == "server")
            .ToList();
        if (markers.Count == 0)
        {
            throw new InvalidOperationException($"No server component marker in {pageUrl} (not signed in?)");
        }
        var state = State().Match(html) is { Success: true } s ? s.Groups["state"].Value : "";

        var client = new BlazorCircuitClient();
        var seen = client.Await(awaitedText);
        await client.ConnectAsync(http, pageUrl, cookie, ct);
        var circuitId = await client.InvokeStartCircuitAsync(new Uri(pageUrl, "/").ToString(), pageUrl.ToString(), ct);
        if (string.IsNullOrEmpty(circuitId))
        {
            throw new InvalidOperationException("StartCircuit refused the circuit");
        }

        var operations = new
        {
            batchId = 1,
            operations = markers.Select((marker, i) => new { type = "add", ssrComponentId = i + 1, marker }).ToArray(),
        };
        await client.SendAsync("UpdateRootComponents", [JsonSerializer.Serialize(operations), state], ct);
        // Open once the circuit rendered the meter itself (its first interactive render).
        await seen.WaitAsync(TimeSpan.FromSeconds(120), ct);
        return client;
    }

    // From now on, the timestamp of the first render batch that carries text is reported by Seen.
    public Task<long> Await(string text)
    {
        var seen = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _seen, seen);
        Volatile.Write(ref _awaited, Encoding.UTF8.GetBytes(text));
        return seen.Task;
    }

    private async Task ConnectAsync(HttpClient http, Uri pageUrl, string cookie, CancellationToken ct)
    {
        using var negotiateRequest = new HttpRequestMessage(HttpMethod.Post, new Uri(pageUrl, "/_blazor/negotiate?negotiateVersion=1"));
        negotiateRequest.Headers.Add("Cookie", cookie);
        using var negotiate = await http.SendAsync(negotiateRequest, ct);
        negotiate.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await negotiate.Content.ReadAsStringAsync(ct));
        var token = body.RootElement.GetProperty("connectionToken").GetString();
        _socket.Options.SetRequestHeader("Cookie", cookie);
        var ws = new UriBuilder(new Uri(pageUrl, "/_blazor")) { Scheme = pageUrl.Scheme == "https" ? "wss" : "ws", Query = "id=" + token };
        await _socket.ConnectAsync(ws.Uri, ct);

        var handshake = new ArrayBufferWriter<byte>();
        HandshakeProtocol.WriteRequestMessage(new HandshakeRequestMessage(Protocol.Name, Protocol.Version), handshake);
        await _socket.SendAsync(handshake.WrittenMemory, WebSocketMessageType.Binary, true, ct);
        _receiving = Task.Run(ReceiveLoopAsync, CancellationToken.None);
    }

    private async Task<string> InvokeStartCircuitAsync(string baseUri, string uri, CancellationToken ct)
    {
        await WriteAsync(new InvocationMessage("0", "StartCircuit", [baseUri, uri, "[]", ""]), ct);
        return await _circuitId.Task.WaitAsync(TimeSpan.FromSeconds(120), ct);
    }

    private Task SendAsync(string target, object?[] arguments, CancellationToken ct) =>
        WriteAsync(new InvocationMessage(target, arguments), ct);

    public Task PingAsync() => WriteAsync(PingMessage.Instance, _stop.Token);

    private async Task WriteAsync(HubMessage message, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Protocol.WriteMessage(message, buffer);
        await _sendLock.WaitAsync(ct);
        try
        {
            await _socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Binary, true, ct);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var pending = new ArrayBufferWriter<byte>();
        var chunk = new byte[16 * 1024];
        var handshakeDone = false;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var result = await _socket.ReceiveAsync(chunk, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Error ??= "closed by the server";
                    break;
                }
                pending.Write(chunk.AsSpan(0, result.Count));
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var sequence = new ReadOnlySequence<byte>(pending.WrittenMemory);
                if (!handshakeDone)
                {
                    if (!HandshakeProtocol.TryParseResponseMessage(ref sequence, out var response))
                    {
                        continue;
                    }
                    if (response.Error is not null)
                    {
                        throw new InvalidOperationException("Handshake refused: " + response.Error);
                    }
                    handshakeDone = true;
                }
                while (Protocol.TryParseMessage(ref sequence, _binder, out var message))
                {
                    await HandleAsync(message);
                }
                var rest = sequence.ToArray();
                pending.Clear();
                pending.Write(rest);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Error ??= ex.GetType().Name + ": " + ex.Message;
        }
        _circuitId.TrySetException(new InvalidOperationException(Error ?? "connection ended"));
        _seen?.TrySetException(new InvalidOperationException(Error ?? "connection ended"));
    }

    private async Task HandleAsync(HubMessage message)
    {
        switch (message)
        {
            case CompletionMessage { InvocationId: "0" } completion:
                if (completion.Error is not null)
                {
                    _circuitId.TrySetException(new InvalidOperationException(completion.Error));
                }
                else
                {
                    _circuitId.TrySetResult((string?)completion.Result ?? "");
                }
                break;
            case InvocationMessage { Target: "JS.RenderBatch" } render:
                var batchId = (long)render.Arguments[0]!;
                var bytes = (byte[])render.Arguments[1]!;
                RenderBatches++;
                if (Volatile.Read(ref _awaited) is { } awaited && bytes.AsSpan().IndexOf(awaited) >= 0)
                {
                    Volatile.Read(ref _seen)?.TrySetResult(Stopwatch.GetTimestamp());
                }
                await WriteAsync(new InvocationMessage("OnRenderCompleted", [batchId, null]), _stop.Token);
                break;
            case InvocationMessage { Target: "JS.BeginInvokeJS" } js:
                var handle = (long)js.Arguments[0]!;
                JsCalls.AddOrUpdate((string)js.Arguments[1]!, 1, (_, n) => n + 1);
                if (handle != 0)
                {
                    await WriteAsync(new InvocationMessage("EndInvokeJSFromDotNet", [handle, true, $"[{handle},true,null]"]), _stop.Token);
                }
                break;
            case InvocationMessage { Target: "JS.Error" } error:
                Error ??= "JS.Error: " + error.Arguments[0];
                break;
            case InvocationBindingFailureMessage failure:
                JsCalls.AddOrUpdate("(binding failure) " + failure.Target, 1, (_, n) => n + 1);
                break;
            case CloseMessage close:
                Error ??= "closed: " + close.Error;
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            }
        }
        catch (WebSocketException)
        {
        }
        if (_receiving is not null)
        {
            await _receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        _socket.Dispose();
        _stop.Dispose();
    }

    [GeneratedRegex("<!--Blazor:(?<json>\\{.*?\\})-->", RegexOptions.Singleline)]
    private static partial Regex Marker();

    [GeneratedRegex("<!--Blazor-Server-Component-State:(?<state>[A-Za-z0-9+/=]+)-->")]
    private static partial Regex State();

    // The argument types of the hub methods the server invokes on the client (blazor.web.js's handlers).
    private sealed class Binder : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) => methodName switch
        {
            "JS.AttachComponent" => [typeof(int), typeof(string)],
            "JS.BeginInvokeJS" => [typeof(long), typeof(string), typeof(string), typeof(int), typeof(long), typeof(int)],
            "JS.EndInvokeDotNet" => [typeof(string)],
            "JS.RenderBatch" => [typeof(long), typeof(byte[])],
            "JS.Error" => [typeof(string)],
            "JS.ReceiveByteArray" => [typeof(int), typeof(byte[])],
            "JS.SavePersistedState" => [typeof(string), typeof(string), typeof(string)],
            _ => [],
        };

        public Type GetReturnType(string invocationId) => typeof(string);

        public Type GetStreamItemType(string streamId) => typeof(object);
    }
}
