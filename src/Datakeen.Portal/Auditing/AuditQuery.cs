using System.Globalization;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Auditing;

// What an Admin asks of the audit log: an action, a person (part of the actor's name), a date range (whole UTC
// days, both ends included). Empty parts do not filter.
public sealed record AuditFilter(string? Action = null, string? Person = null, DateOnly? From = null, DateOnly? To = null)
{
    public IQueryable<AuditEvent> Apply(IQueryable<AuditEvent> events)
    {
        if (!string.IsNullOrWhiteSpace(Action))
        {
            events = events.Where(e => e.Action == Action);
        }

        if (!string.IsNullOrWhiteSpace(Person))
        {
            var pattern = "%" + EscapeLike(Person.Trim()) + "%";
            events = events.Where(e => e.ActorDescription != null && EF.Functions.ILike(e.ActorDescription, pattern, "\\"));
        }

        if (From is { } from)
        {
            var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            events = events.Where(e => e.OccurredAt >= start);
        }

        if (To is { } to)
        {
            var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            events = events.Where(e => e.OccurredAt < end);
        }

        return events;
    }

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}

// Where the next page starts: the last event shown (newest first, by time then id). Keyset paging: the database
// seeks to the position through the (workspace_id, occurred_at) index instead of counting past an offset, so page
// 100 costs what page 1 does and an event recorded meanwhile does not shift the pages.
public readonly record struct AuditCursor(DateTimeOffset OccurredAt, long Id)
{
    public static AuditCursor After(AuditEvent e) => new(e.OccurredAt, e.Id);
}

public sealed record AuditPage(IReadOnlyList<AuditEvent> Events, AuditCursor? Next);

public static class AuditPaging
{
    public static IQueryable<AuditEvent> NewestFirst(this IQueryable<AuditEvent> events, AuditCursor? after)
    {
        if (after is { } c)
        {
            events = events.Where(e => e.OccurredAt < c.OccurredAt || (e.OccurredAt == c.OccurredAt && e.Id < c.Id));
        }

        return events.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id);
    }
}

// The CSV export of a filtered view (RFC 4180: comma, CRLF, quotes doubled). A cell that a spreadsheet would take
// for a formula (=, +, -, @, tab, CR) is prefixed with an apostrophe: audit texts come from people.
public static class AuditCsv
{
    public const string Header = "occurred_at_utc,action,succeeded,actor,target,details,ip_address,user_agent";

    public static void WriteHeader(TextWriter writer) => writer.Write(Header + "\r\n");

    public static void WriteRow(TextWriter writer, AuditEvent e)
    {
        var cells = new[]
        {
            e.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            e.Action, e.Succeeded ? "true" : "false", e.ActorDescription, e.Target, e.Details, e.IpAddress, e.UserAgent,
        };
        writer.Write(string.Join(',', cells.Select(Cell)) + "\r\n");
    }

    private static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
