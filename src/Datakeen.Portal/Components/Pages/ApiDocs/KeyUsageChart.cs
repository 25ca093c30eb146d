using System.Globalization;
using Datakeen.Portal.Usage;
using MudBlazor;

namespace Datakeen.Portal.Components.Pages.ApiDocs;

// The usage of a key over the last 30 days as the key row shows it (KeyRow.razor): the accessible summary text
// and the bar chart's data.
public static class KeyUsageChart
{
    public static readonly BarChartOptions Options = new()
    {
        ShowLegend = false,
        YAxisLines = false,
        XAxisLines = false,
        ShowToolTips = true,
        MaxNumYAxisTicks = 2,
    };

    public static string Summary(KeyUsageSeries series)
    {
        var total = series.Total;
        var today = series.Requests.Count > 0 ? series.Requests[^1] : 0;
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{total:N0} {(total == 1 ? "request" : "requests")} in the last {series.Requests.Count} days");
        return today > 0 ? string.Create(CultureInfo.InvariantCulture, $"{text}, {today:N0} today") : text;
    }

    public static string[] Labels(KeyUsageSeries series) =>
        Enumerable.Range(0, series.Requests.Count)
            .Select(i => series.FirstDay.AddDays(i).ToString("d MMM", CultureInfo.InvariantCulture)).ToArray();

    public static List<ChartSeries<double>> Series(KeyUsageSeries series) =>
        [new ChartSeries<double> { Name = "Requests", Data = new ChartData<double>(series.Requests.Select(r => (double)r).ToArray()) }];
}
