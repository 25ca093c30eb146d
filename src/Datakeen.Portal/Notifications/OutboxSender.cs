using Datakeen.Portal.Data;
using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Datakeen.Portal.Notifications;

// Delivers the outbox over SMTP. Each round claims due mail with FOR UPDATE SKIP LOCKED and a lease (so
// several instances never send the same mail twice concurrently), sends it on one SMTP connection, and
// marks it sent; a failure schedules the mail again with a doubling delay. Nothing is ever dropped: an
// SMTP outage only delays.
public sealed class OutboxSender(
    IDbContextFactory<PortalDbContext> contexts,
    IOptionsMonitor<SmtpOptions> options,
    IHostEnvironment environment,
    TimeProvider time,
    ILogger<OutboxSender> logger) : BackgroundService
{
    private const int BatchSize = 20;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.CurrentValue;
        if (string.IsNullOrWhiteSpace(settings.Host))
        {
            logger.LogWarning("Smtp:Host is not set: mail stays in the outbox until a host is configured");
            return;
        }

        using var timer = new PeriodicTimer(settings.PollInterval, time);
        do
        {
            try
            {
                int claimed;
                do
                {
                    claimed = await SendDueAsync(stoppingToken);
                }
                while (claimed == BatchSize);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The database may be away; the next tick tries again.
                logger.LogWarning("Sending the outbox failed: {ExceptionType}: {Message}", ex.GetType().Name, ex.Message);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    // Returns how many mails were claimed in this round.
    internal async Task<int> SendDueAsync(CancellationToken ct)
    {
        var due = await ClaimAsync(ct);
        if (due.Count == 0)
        {
            return 0;
        }

        var settings = options.CurrentValue;
        using var smtp = new SmtpClient();
        Exception? connectError = null;
        try
        {
            var security = settings.EffectiveSecurity(environment.IsDevelopment())
                ?? throw new InvalidOperationException(SmtpOptions.RequiredTlsMessage);
            await smtp.ConnectAsync(settings.Host!, settings.Port, security, ct);
            if (!string.IsNullOrEmpty(settings.UserName))
            {
                await smtp.AuthenticateAsync(settings.UserName, settings.Password ?? "", ct);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            connectError = ex;
        }

        foreach (var mail in due)
        {
            Exception? error = connectError;
            if (error is null)
            {
                try
                {
                    await smtp.SendAsync(ToMessage(mail, settings.From), ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    error = ex;
                }
            }

            await RecordAsync(mail, error, settings, ct);
        }

        if (smtp.IsConnected)
        {
            await smtp.DisconnectAsync(quit: true, ct);
        }

        return due.Count;
    }

    private async Task<List<OutboxEmail>> ClaimAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.OutboxEmails
            .FromSql($"""
                UPDATE outbox_emails SET next_attempt_at = {now + Lease}, attempts = attempts + 1
                WHERE id IN (SELECT id FROM outbox_emails WHERE sent_at IS NULL AND next_attempt_at <= {now}
                             ORDER BY next_attempt_at LIMIT {BatchSize} FOR UPDATE SKIP LOCKED)
                RETURNING *
                """)
            .AsNoTracking()
            .ToListAsync(ct);
    }

    private async Task RecordAsync(OutboxEmail mail, Exception? error, SmtpOptions settings, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (error is null)
        {
            await db.OutboxEmails.Where(m => m.Id == mail.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.SentAt, now).SetProperty(m => m.LastError, (string?)null), ct);
            return;
        }

        var delay = RetryDelay(mail.Attempts, settings);
        var message = $"{error.GetType().Name}: {error.Message}";
        logger.LogWarning("Mail {MailId} not sent (attempt {Attempt}), retrying in {Delay}: {Error}", mail.Id, mail.Attempts, delay, message);
        await db.OutboxEmails.Where(m => m.Id == mail.Id)
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.NextAttemptAt, now + delay)
                .SetProperty(m => m.LastError, message.Length > 500 ? message[..500] : message), ct);
    }

    internal static TimeSpan RetryDelay(int attempts, SmtpOptions settings)
    {
        var factor = Math.Pow(2, Math.Clamp(attempts - 1, 0, 20));
        var delay = TimeSpan.FromTicks((long)Math.Min(settings.RetryDelay.Ticks * factor, settings.MaxRetryDelay.Ticks));
        return delay;
    }

    private static MimeMessage ToMessage(OutboxEmail mail, string from)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(mail.ToAddress));
        message.Subject = mail.Subject;
        // The outbox id as Message-ID: a mail sent twice after a crash is recognisably the same one.
        message.MessageId = $"{mail.Id:N}@datakeen-portal";
        message.Body = new TextPart("plain") { Text = mail.Body };
        return message;
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
