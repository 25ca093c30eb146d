using Datakeen.Portal.CircuitLoad;

// Circuit load harness for the API & Docs tab (docs/benchmarks.md, "Circuits").
//   circuit-load        the run: starts "serve" as a child process, opens the circuits, prints the figures
//   circuit-load serve  the portal side (used by the run)
return args is ["serve"] ? await ServeMode.RunAsync() : await LoadRun.RunAsync();
