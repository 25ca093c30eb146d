using Datakeen.Portal.CircuitLoad;

// Circuit load harness for the API & Docs tab (docs/benchmarks.md, "Circuits").
//   circuit-load        the run: starts "serve" as a child process, opens the circuits, prints the figures
//   circuit-load serve  the portal side (used by the run)
//   circuit-load stock URL  the stock template's /counter at URL, the same way (bench/stock-circuit.sh)
return args switch
{
    ["serve"] => await ServeMode.RunAsync(),
    ["stock", var url] => await StockRun.RunAsync(url),
    _ => await LoadRun.RunAsync(),
};
