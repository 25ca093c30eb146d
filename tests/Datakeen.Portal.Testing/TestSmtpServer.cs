using System.Buffers;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Datakeen.Portal.Testing;

// A real SMTP server (the SmtpServer library) on a free loopback port, keeping what it receives. It can be
// stopped and started again on the same port, to play an outage.
public sealed class TestSmtpServer : IAsyncDisposable
{
    private readonly Store _store = new();
    private SmtpServer.SmtpServer? _server;
    private Task? _running;

    private TestSmtpServer(int port) => Port = port;

    public int Port { get; }

    public IReadOnlyCollection<MimeMessage> Received => _store.Messages;

    public static TestSmtpServer Start()
    {
        var server = new TestSmtpServer(FreePort());
        server.Resume();
        return server;
    }

    // The portal's settings for this server.
    public IEnumerable<KeyValuePair<string, string?>> PortalSettings() =>
    [
        new("Smtp:Host", "127.0.0.1"),
        new("Smtp:Port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Smtp:Security", "None"),
        new("Smtp:From", "Datakeen <no-reply@datakeen.example>"),
        new("Smtp:PollInterval", "00:00:00.100"),
        new("Smtp:RetryDelay", "00:00:00.100"),
        new("Smtp:MaxRetryDelay", "00:00:00.500"),
    ];

    public void Resume()
    {
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(_store);
        _server = new SmtpServer.SmtpServer(options, services);
        _running = _server.StartAsync(CancellationToken.None);
    }

    // Refuses connections until Resume().
    public async Task StopAsync()
    {
        if (_server is null)
        {
            return;
        }

        _server.Shutdown();
        await _server.ShutdownTask;
        await _running!;
        _server = null;
    }

    // The first message received (so far or from now on) that matches, within the timeout.
    public async Task<MimeMessage> WaitForAsync(Func<MimeMessage, bool> match, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var found = _store.Messages.FirstOrDefault(match);
            if (found is not null)
            {
                return found;
            }

            try
            {
                await _store.NextMessageAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("The SMTP server received no matching message in time. Received: " +
                    string.Join(" | ", _store.Messages.Select(m => $"{m.To} {m.Subject}")));
            }
        }
    }

    public IReadOnlyList<MimeMessage> To(string address) =>
        _store.Messages.Where(m => m.To.Mailboxes.Any(x => string.Equals(x.Address, address, StringComparison.OrdinalIgnoreCase))).ToList();

    public async ValueTask DisposeAsync() => await StopAsync();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class Store : MessageStore
    {
        private readonly Lock _lock = new();
        private readonly List<MimeMessage> _messages = [];
        private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyCollection<MimeMessage> Messages
        {
            get
            {
                lock (_lock)
                {
                    return _messages.ToList();
                }
            }
        }

        public Task NextMessageAsync(CancellationToken ct)
        {
            lock (_lock)
            {
                return _next.Task.WaitAsync(ct);
            }
        }

        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction,
            ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            TaskCompletionSource next;
            lock (_lock)
            {
                _messages.Add(message);
                next = _next;
                _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            next.SetResult();
            return SmtpResponse.Ok;
        }
    }
}
