using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Datakeen.Portal.Auth;

// When a circuit opens, the HTTP context is the browser's connection to the hub: the right place to
// learn the client's address and user agent for the rest of the circuit.
internal sealed class ActorCircuitHandler(CurrentActor actor, IHttpContextAccessor httpContextAccessor) : CircuitHandler
{
    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        actor.CaptureConnection(httpContextAccessor.HttpContext);
        return Task.CompletedTask;
    }
}
