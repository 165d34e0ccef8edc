using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using Events.Grains;
using Events.Web.Shared;

namespace Events.Web.Tests.Layout;

// Feature folders depend on each other in one direction only: a folder depends on another when a
// file in it uses a type declared in the other. Read from the compiled assemblies, so Razor
// components count like any class (their markup, parameters and injections are all in their
// generated code). A type is declared in its namespace's folder; a method is in the folder of its
// source file (from the PDB), because the hub is one partial class whose methods sit in the
// features' folders.
//
// What the compiler leaves no trace of is not seen: a constant (or nameof) is copied into its user,
// so a folder that only reads another's const string does not depend on it here.
//
// The layering that keeps them out of circles (issue 16, item 5):
// - Events.Web: Localization (the strings) is the bottom. Security sits on it, Offline on Security.
//   Shared, the page kit (the shell every page is drawn in, which shows who is signed in and the
//   offline notes; message pages; refusals; the language switch; the look-ups features share), sits
//   on those three: Security asks for its refusal pages through IMessagePages, which Shared
//   implements. Live and Mail sit on Shared. Features sit on all of these and on the features they
//   build on (Agenda, People, Polls, Scheduling, Catalog), never the other way: the outbox's mailer
//   (Mail) hands each promise to the feature that words it (IPromisedMail), so it names none.
// - Events.Grains: Journal is the bottom: the journal, its keys and the store it needs
//   (IJournalStore). Storage implements that store on SQLite and PostgreSQL and sits on Journal.
//   Audit follows journals and sits on Journal, which learns of the trail only as a standing
//   follower registered in DI. Mail sits on Journal; features sit on Journal, Audit and Mail.
public sealed class FolderDependencyTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("Events.Web")]
    [InlineData("Events.Grains")]
    public void Feature_folders_do_not_depend_on_each_other_in_a_circle(string project)
    {
        var assembly = project == "Events.Web" ? typeof(Pages).Assembly : typeof(ValidationFailedException).Assembly;
        var uses = new Dictionary<(string, string), SortedSet<string>>();
        var graph = FolderGraph.Of(assembly, project, $"src/{project}/", uses);
        output.WriteLine(FolderGraph.Describe(graph));

        var circles = FolderGraph.Circles(graph);
        Assert.True(circles.Count == 0, "Folders that depend on each other in a circle:\n" + string.Join("\n", circles.Select(c =>
            $"{project}: {string.Join(", ", c)}\n" + string.Join("\n",
                from folder in c
                from to in graph[folder]
                where c.Contains(to)
                select $"  {folder} -> {to}:\n    {string.Join("\n    ", uses[(folder, to)])}"))));
    }

    [Fact]
    public void A_type_named_only_in_a_method_body_or_as_a_type_argument_counts()
    {
        // Layout/Fixture: Alpha names Beta only inside a lambda, Beta names Alpha only as a type argument.
        var graph = FolderGraph.Of(typeof(FolderDependencyTests).Assembly, "Events.Web.Tests.Layout.Fixture", "Layout/Fixture/");

        Assert.Equal(["Beta"], graph["Alpha"]);
        Assert.Equal(["Alpha"], graph["Beta"]);
        Assert.Equal([["Alpha", "Beta"]], FolderGraph.Circles(graph));
    }

    [Fact]
    public void A_folder_that_only_reaches_a_circle_is_not_in_it()
    {
        var graph = new Dictionary<string, SortedSet<string>>
        {
            ["A"] = ["B"],
            ["B"] = ["A", "C"],
            ["C"] = ["D"],
            ["D"] = [],
        };

        Assert.Equal([["A", "B"]], FolderGraph.Circles(graph));
    }
}

internal static class FolderGraph
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private const BindingFlags Declared = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    // Folder → the folders it uses. The project's root namespace (its wiring) is no folder.
    // sourceRoot: the path of the project's directory as it ends in the PDB's file names.
    // uses: for each edge, the types that make it (which uses which), to say what to move.
    public static Dictionary<string, SortedSet<string>> Of(Assembly assembly, string rootNamespace, string sourceRoot, Dictionary<(string From, string To), SortedSet<string>>? uses = null)
    {
        using var pdb = MetadataReaderProvider.FromPortablePdbStream(File.OpenRead(Path.ChangeExtension(assembly.Location, ".pdb")));
        var files = pdb.GetMetadataReader();
        var graph = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);

        void Use(string? from, Type used, Type user)
        {
            if (from is not null && used.Assembly == assembly && FolderOf(used, rootNamespace) is { } to && to != from)
            {
                (graph.TryGetValue(from, out var tos) ? tos : graph[from] = new SortedSet<string>(StringComparer.Ordinal)).Add(to);
                if (uses is not null)
                {
                    (uses.TryGetValue((from, to), out var types) ? types : uses[(from, to)] = new SortedSet<string>(StringComparer.Ordinal))
                        .Add($"{NameOf(user)} uses {NameOf(used)}");
                }
            }
        }

        string? FileFolderOf(MethodBase method)
        {
            var document = files.GetMethodDebugInformation(MetadataTokens.MethodDefinitionHandle(method.MetadataToken)).Document;
            if (document.IsNil)
            {
                // An async method's own body is in its state machine.
                return method.GetCustomAttribute<System.Runtime.CompilerServices.StateMachineAttribute>()?.StateMachineType.GetMethod("MoveNext", Declared) is { } moveNext
                    ? FileFolderOf(moveNext)
                    : null;
            }

            // Generated sources (obj/) count as their type's namespace.
            var path = files.GetString(files.GetDocument(document).Name).Replace('\\', '/');
            var at = path.IndexOf("/" + sourceRoot, StringComparison.Ordinal);
            var relative = at < 0 ? null : path[(at + sourceRoot.Length + 1)..];
            return relative?.IndexOf('/') is > 0 and var slash && relative[..slash] is not ("obj" or "bin") ? relative[..slash] : null;
        }

        foreach (var type in assembly.GetTypes())
        {
            var declaredIn = FolderOf(type, rootNamespace);
            if (declaredIn is not null)
            {
                graph.TryAdd(declaredIn, new SortedSet<string>(StringComparer.Ordinal));
            }

            // A state machine's or a closure's fields are what its methods use, and counted there.
            foreach (var used in type.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute)) ? [] : TypesInSignatures(type))
            {
                Use(declaredIn, used, type);
            }

            foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
            {
                var from = FileFolderOf(method) ?? declaredIn;
                foreach (var used in TypesUsedBy(method))
                {
                    Use(from, used, type);
                }
            }
        }

        return graph;
    }

    // Each group of folders that reach each other (strongly connected, more than one folder), sorted.
    public static List<List<string>> Circles(IReadOnlyDictionary<string, SortedSet<string>> graph)
    {
        // Tarjan's algorithm; the graphs are a few dozen folders, so recursion is fine.
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var circles = new List<List<string>>();

        void Visit(string folder)
        {
            index[folder] = low[folder] = index.Count;
            stack.Push(folder);
            foreach (var next in graph.TryGetValue(folder, out var uses) ? uses : [])
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[folder] = Math.Min(low[folder], low[next]);
                }
                else if (stack.Contains(next))
                {
                    low[folder] = Math.Min(low[folder], index[next]);
                }
            }

            if (low[folder] == index[folder])
            {
                var group = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    group.Add(member);
                }
                while (member != folder);

                if (group.Count > 1)
                {
                    circles.Add([.. group.Order(StringComparer.Ordinal)]);
                }
            }
        }

        foreach (var folder in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(folder))
            {
                Visit(folder);
            }
        }

        return [.. circles.OrderBy(c => c[0], StringComparer.Ordinal)];
    }

    public static string Describe(IReadOnlyDictionary<string, SortedSet<string>> graph) =>
        string.Join("\n", graph.Keys.Order(StringComparer.Ordinal).Select(folder => $"{folder} -> {string.Join(", ", graph[folder])}"));

    // A type as its source names it: closures, state machines and other nested types as the type
    // around them, generics without their arguments.
    private static string NameOf(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        return (type.IsGenericType ? type.GetGenericTypeDefinition() : type).FullName!;
    }

    // Razor puts its type-inference helpers under "__Blazor.<namespace>".
    private static string? FolderOf(Type type, string rootNamespace)
    {
        var ns = type.Namespace ?? "";
        if (ns.StartsWith("__Blazor.", StringComparison.Ordinal))
        {
            ns = ns["__Blazor.".Length..];
        }

        return ns.StartsWith(rootNamespace + ".", StringComparison.Ordinal) ? ns[(rootNamespace.Length + 1)..].Split('.')[0] : null;
    }

    // The type's own declarations: what it derives from, its attributes, fields and properties.
    private static HashSet<Type> TypesInSignatures(Type type)
    {
        var used = new HashSet<Type>();
        Add(used, type.BaseType);
        foreach (var implemented in type.GetInterfaces())
        {
            Add(used, implemented);
        }

        AddAttributes(used, type.CustomAttributes);
        foreach (var field in type.GetFields(Declared))
        {
            Add(used, field.FieldType);
            AddAttributes(used, field.CustomAttributes);
        }

        foreach (var property in type.GetProperties(Declared))
        {
            Add(used, property.PropertyType);
            AddAttributes(used, property.CustomAttributes);
        }

        return used;
    }

    // A method's signature, attributes, locals and every type, method and field its body names.
    private static HashSet<Type> TypesUsedBy(MethodBase method)
    {
        var used = new HashSet<Type>();
        AddAttributes(used, method.CustomAttributes);
        if (method is MethodInfo info)
        {
            Add(used, info.ReturnType);
        }

        foreach (var parameter in method.GetParameters())
        {
            Add(used, parameter.ParameterType);
            AddAttributes(used, parameter.CustomAttributes);
        }

        if (method.GetMethodBody() is not { } body)
        {
            return used;
        }

        foreach (var local in body.LocalVariables)
        {
            Add(used, local.LocalType);
        }

        foreach (var member in MembersIn(method, body))
        {
            Add(used, member as Type ?? member.DeclaringType);
            if (member is MethodInfo { IsGenericMethod: true } generic)
            {
                foreach (var argument in generic.GetGenericArguments())
                {
                    Add(used, argument);
                }
            }
        }

        return used;
    }

    private static void Add(HashSet<Type> used, Type? type)
    {
        if (type is null || type.IsGenericParameter || !used.Add(type))
        {
            return;
        }

        if (type.HasElementType)
        {
            Add(used, type.GetElementType());
        }

        if (type.IsGenericType)
        {
            Add(used, type.GetGenericTypeDefinition());
            foreach (var argument in type.GetGenericArguments())
            {
                Add(used, argument);
            }
        }
    }

    private static void AddAttributes(HashSet<Type> used, IEnumerable<CustomAttributeData> attributes)
    {
        foreach (var attribute in attributes)
        {
            Add(used, attribute.AttributeType);
            foreach (var argument in attribute.ConstructorArguments.Concat(attribute.NamedArguments.Select(n => n.TypedValue)))
            {
                Add(used, argument.Value as Type);
            }
        }
    }

    // The types, methods and fields a method body names (the operands of its IL instructions).
    private static IEnumerable<MemberInfo> MembersIn(MethodBase method, MethodBody body)
    {
        var il = body.GetILAsByteArray() ?? [];
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            var value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            var opCode = OpCodesByValue[value];
            switch (opCode.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok:
                    var member = method.Module.ResolveMember(BitConverter.ToInt32(il, at), typeArguments, methodArguments);
                    if (member is not null)
                    {
                        yield return member;
                    }

                    at += 4;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + (4 * BitConverter.ToInt32(il, at));
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    at += 8;
                    break;
                case OperandType.InlineBrTarget or OperandType.InlineI or OperandType.InlineSig or OperandType.InlineString or OperandType.ShortInlineR:
                    at += 4;
                    break;
                case OperandType.InlineVar:
                    at += 2;
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    at += 1;
                    break;
            }
        }
    }
}
