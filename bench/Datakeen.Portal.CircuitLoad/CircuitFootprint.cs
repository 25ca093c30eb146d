using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Datakeen.Portal.CircuitLoad;

// What one circuit holds on its own (the harness's "footprint" command): the objects reachable from one circuit
// (its CircuitHost) that are not reachable from the application's root services, summed by type. Both walks stop
// at the objects of other circuits (hosts, circuits, renderers, components, component states, DI scopes): a
// singleton's event or a timer queue links circuits to one another. The sizes are the
// objects' own sizes as the runtime lays them out (header included), so the total is close to what the GC heap
// grows by per circuit. Reflection over every field: slow, for a handful of circuits at a time. Harness only.
internal static class CircuitFootprint
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
    private static readonly Dictionary<Type, FieldInfo[]> Fields = new();

    public static FootprintResult Take(Circuit circuit, IServiceProvider root)
    {
        var host = Host(circuit);
        var renderer = host.GetType().GetProperty("Renderer", Instance)!.GetValue(host)!;
        var scope = host.GetType().GetProperty("Services", Instance)?.GetValue(host);
        var mine = new HashSet<object>(ReferenceEqualityComparer.Instance) { circuit, host, renderer };
        if (scope is not null)
        {
            mine.Add(scope);
        }
        foreach (var state in ((IDictionary)Field(renderer, "_componentStateById")!).Values)
        {
            mine.Add(state!);
            mine.Add(state!.GetType().GetProperty("Component", Instance)!.GetValue(state)!);
        }

        var shared = new HashSet<object>(ReferenceEqualityComparer.Instance);
        Walk(root, shared, null, null, mine: null);
        var own = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var byType = new Dictionary<string, (long Bytes, int Count)>(StringComparer.Ordinal);
        Walk(host, own, shared, byType, mine);
        var total = byType.Values.Sum(v => v.Bytes);
        var strings = Strings.GroupBy(t => t.Length > 60 ? t[..60] : t)
            .Select(g => (Text: g.Key, Bytes: g.Sum(t => 22L + 2 * t.Length), Count: g.Count()))
            .OrderByDescending(g => g.Bytes).Take(25)
            .ToDictionary(g => $"string \"{g.Text.Replace("\n", " ")}\"", g => new FootprintEntry(g.Bytes, g.Count));
        Strings.Clear();
        return new FootprintResult(total, own.Count,
            byType.OrderByDescending(t => t.Value.Bytes).Take(60)
                .ToDictionary(t => t.Key, t => new FootprintEntry(t.Value.Bytes, t.Value.Count))
                .Concat(strings).ToDictionary());
    }

    private static object Host(Circuit circuit) =>
        typeof(Circuit).GetField("_circuitHost", Instance)!.GetValue(circuit)!;

    private static object? Field(object target, string name)
    {
        for (var type = target.GetType(); type is not null; type = type.BaseType)
        {
            if (type.GetField(name, Instance) is { } field)
            {
                return field.GetValue(target);
            }
        }
        return null;
    }

    // An object of a circuit: with mine null (the root walk) any; else one that is not this circuit's.
    private static bool IsCircuitBoundary(object obj, HashSet<object>? mine)
    {
        if (mine is not null && mine.Contains(obj))
        {
            return false;
        }
        var name = obj.GetType().FullName ?? "";
        if (name.StartsWith("System.Buffers.", StringComparison.Ordinal))
        {
            return true; // ArrayPool<T>.Shared and its partitions: process-wide
        }
        if (obj is Microsoft.AspNetCore.Components.IComponent or Circuit
            or Microsoft.AspNetCore.Components.Rendering.ComponentState
            or Microsoft.AspNetCore.Components.RenderTree.Renderer
            || name == "Microsoft.AspNetCore.Components.Server.Circuits.CircuitHost")
        {
            return true;
        }
        return name == "Microsoft.Extensions.DependencyInjection.ServiceLookup.ServiceProviderEngineScope"
               && (mine is not null || !ReferenceEquals(obj, RootScope));
    }

    private static object? RootScope;

    // The own strings of the last footprint, for the largest ones and the repeated ones.
    private static readonly List<string> Strings = [];

    private static void Walk(object root, HashSet<object> seen, HashSet<object>? skip,
        Dictionary<string, (long Bytes, int Count)>? byType, HashSet<object>? mine)
    {
        if (mine is null)
        {
            RootScope = root.GetType().GetProperty("Root", Instance)?.GetValue(root);
        }
        var stack = new Stack<object>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var obj = stack.Pop();
            if (skip is not null && skip.Contains(obj) || !ReferenceEquals(obj, root) && IsCircuitBoundary(obj, mine) || !seen.Add(obj))
            {
                continue;
            }

            var type = obj.GetType();
            if (obj is MemberInfo or Assembly or Module or ParameterInfo || type.FullName?.StartsWith("System.Reflection.", StringComparison.Ordinal) == true)
            {
                continue; // metadata: shared by nature
            }

            if (byType is not null)
            {
                var name = Name(type);
                var size = SizeOf(obj, type);
                var current = byType.GetValueOrDefault(name);
                byType[name] = (current.Bytes + size, current.Count + 1);
            }

            if (obj is string text)
            {
                if (byType is not null)
                {
                    Strings.Add(text);
                }
                continue;
            }

            if (obj is Array array)
            {
                var element = type.GetElementType()!;
                if (element.IsPointer || element.IsPrimitive || element.IsEnum)
                {
                    continue;
                }
                if (array.Rank != 1)
                {
                    continue;
                }
                if (!element.IsValueType)
                {
                    foreach (var item in (object?[])array)
                    {
                        if (item is not null)
                        {
                            stack.Push(item);
                        }
                    }
                }
                else
                {
                    for (var i = 0; i < array.Length; i++)
                    {
                        PushFields(array.GetValue(i), stack);
                    }
                }
                continue;
            }

            PushFields(obj, stack);
        }
    }

    private static void PushFields(object? obj, Stack<object> stack)
    {
        if (obj is null)
        {
            return;
        }

        foreach (var field in FieldsOf(obj.GetType()))
        {
            object? value;
            try
            {
                value = field.GetValue(obj);
            }
            catch
            {
                continue;
            }

            if (value is null)
            {
                continue;
            }

            if (field.FieldType.IsValueType)
            {
                // A struct field: its own reference fields belong to the holder.
                PushFields(value, stack);
            }
            else
            {
                stack.Push(value);
            }
        }
    }

    private static FieldInfo[] FieldsOf(Type type)
    {
        lock (Fields)
        {
            if (Fields.TryGetValue(type, out var cached))
            {
                return cached;
            }

            var list = new List<FieldInfo>();
            for (var t = type; t is not null; t = t.BaseType)
            {
                foreach (var field in t.GetFields(Instance | BindingFlags.DeclaredOnly))
                {
                    var ft = field.FieldType;
                    if (ft.IsPointer || ft.IsByRef || ft.IsByRefLike || ft.IsPrimitive || ft.IsEnum)
                    {
                        continue;
                    }
                    list.Add(field);
                }
            }
            var fields = list.ToArray();
            Fields[type] = fields;
            return fields;
        }
    }

    private static long SizeOf(object obj, Type type)
    {
        switch (obj)
        {
            case string s:
                return 22 + 2L * s.Length;
            case Array a:
                var element = type.GetElementType()!;
                var elementSize = element.IsValueType ? SafeSize(element) : IntPtr.Size;
                return 24 + (long)a.Length * elementSize;
            default:
                return InstanceSize(type);
        }
    }

    private static readonly Dictionary<Type, long> Sizes = new();

    // Header and method table (16) plus the fields, 8-byte aligned: close to the runtime's own layout.
    private static long InstanceSize(Type type)
    {
        lock (Sizes)
        {
            if (Sizes.TryGetValue(type, out var cached))
            {
                return cached;
            }
        }

        if (type.IsValueType)
        {
            return SafeSize(type) + 16; // a boxed struct
        }

        long size = 16;
        for (var t = type; t is not null; t = t.BaseType)
        {
            foreach (var field in t.GetFields(Instance | BindingFlags.DeclaredOnly))
            {
                var ft = field.FieldType;
                size += ft.IsValueType && !ft.IsPointer ? SafeSize(ft) : IntPtr.Size;
            }
        }
        size = Math.Max(24, (size + 7) / 8 * 8);
        lock (Sizes)
        {
            Sizes[type] = size;
        }
        return size;
    }

    private static int SafeSize(Type type)
    {
        try
        {
            return RuntimeHelpers.SizeOf(type.TypeHandle);
        }
        catch
        {
            return IntPtr.Size;
        }
    }

    private static string Name(Type type) =>
        type.IsGenericType && type.Name.Contains('`')
            ? $"{type.Name[..type.Name.IndexOf('`')]}<{string.Join(",", type.GetGenericArguments().Select(Name))}>"
            : type.IsArray ? Name(type.GetElementType()!) + "[]" : type.Name;
}

internal sealed record FootprintResult(long Bytes, int Objects, Dictionary<string, FootprintEntry> ByType);

internal sealed record FootprintEntry(long Bytes, int Count);
