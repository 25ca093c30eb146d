using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Datakeen.Portal.Infrastructure.Telemetry;

// Counts the circuits this instance holds: what is lost (and must reconnect elsewhere) when it dies.
internal sealed class OpenCircuitsHandler : CircuitHandler
{
    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        PortalTelemetry.OpenCircuits.Add(1);
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        PortalTelemetry.OpenCircuits.Add(-1);
        return Task.CompletedTask;
    }
}
