using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.RenderTree;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Datakeen.Portal.CircuitLoad;

// The live components of the open circuits, by type (the harness's "census" command): each circuit's renderer
// keeps every live component in its private _componentStateById, read here by reflection. Also the capacity of
// the two render-tree frame arrays each component keeps (current and next render). Harness only, never the product.
internal static class ComponentCensus
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    public static CensusResult Take(IEnumerable<Circuit> circuits)
    {
        var byType = new Dictionary<string, int>(StringComparer.Ordinal);
        var framesByType = new Dictionary<string, long>(StringComparer.Ordinal);
        var usedByType = new Dictionary<string, long>(StringComparer.Ordinal);
        var circuitCount = 0;
        var components = 0;
        long frames = 0;
        foreach (var circuit in circuits)
        {
            var host = Field(circuit, "_circuitHost");
            var renderer = host?.GetType().GetProperty("Renderer", Instance)?.GetValue(host);
            if (Field(renderer, "_componentStateById") is not IDictionary states)
            {
                continue;
            }

            circuitCount++;
            // The renderer may be rendering on its own thread: copy first, retry on a concurrent change.
            object?[] values;
            while (true)
            {
                try
                {
                    values = states.Values.Cast<object?>().ToArray();
                    break;
                }
                catch (InvalidOperationException)
                {
                }
            }

            foreach (var state in values)
            {
                if (state?.GetType().GetProperty("Component", Instance)?.GetValue(state) is not IComponent component)
                {
                    continue;
                }

                components++;
                var name = Name(component.GetType());
                byType[name] = byType.GetValueOrDefault(name) + 1;
                var own = Capacity(state.GetType().GetProperty("CurrentRenderTree", Instance)?.GetValue(state))
                          + Capacity(Field(state, "_nextRenderTree"));
                frames += own;
                framesByType[name] = framesByType.GetValueOrDefault(name) + own;
                // The frames of the component's last render: how close it is to the next doubling of its arrays.
                usedByType[name] = usedByType.GetValueOrDefault(name) + Used(state.GetType().GetProperty("CurrentRenderTree", Instance)?.GetValue(state));
            }
        }

        var per = Math.Max(circuitCount, 1);
        var frameSize = Unsafe.SizeOf<RenderTreeFrame>();
        return new CensusResult(
            circuitCount,
            components / (double)per,
            frames * frameSize / (double)per,
            byType.OrderByDescending(t => t.Value).ThenBy(t => t.Key, StringComparer.Ordinal)
                .ToDictionary(t => t.Key, t => new CensusEntry(t.Value / (double)per, framesByType[t.Key] * frameSize / (double)t.Value, usedByType[t.Key] / (double)t.Value)));
    }

    private static long Capacity(object? renderTreeBuilder) =>
        Field(Field(renderTreeBuilder, "_entries"), "_items") is Array items ? items.Length : 0;

    private static int Used(object? renderTreeBuilder) =>
        Field(Field(renderTreeBuilder, "_entries"), "_itemsInUse") is int used ? used : 0;

    private static object? Field(object? target, string name)
    {
        for (var type = target?.GetType(); type is not null; type = type.BaseType)
        {
            if (type.GetField(name, Instance) is { } field)
            {
                return field.GetValue(target);
            }
        }
        return null;
    }

    private static string Name(Type type) =>
        type.IsGenericType
            ? $"{type.Name[..type.Name.IndexOf('`')]}<{string.Join(",", type.GetGenericArguments().Select(Name))}>"
            : type.Name;
}

internal sealed record CensusResult(int Circuits, double ComponentsPerCircuit, double FrameBufferBytesPerCircuit,
    Dictionary<string, CensusEntry> ByType);

// Count per circuit, the bytes of one instance's two frame arrays and the frames of its last render (means).
internal sealed record CensusEntry(double Count, double FrameBytesEach, double FramesUsedEach);
