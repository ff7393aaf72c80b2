using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Differentiation;
using SymDiff.Generator.Ir;

namespace SymDiff.Generator.Planning;

/// <summary>What kind of workspace member a <see cref="WorkspaceField"/> is.</summary>
internal enum WorkspaceFieldKind
{
    /// <summary>A buffer reused from call to call: <c>public T? name;</c>.</summary>
    Buffer,

    /// <summary>A per-iteration tape: <c>public readonly Tape&lt;T&gt; name = new();</c> (the element type as given).</summary>
    Tape,
}

/// <summary>
/// What a loop keeps for the reverse sweep, per iteration, and what the reverse sweep computes again instead (values
/// in definition order): the plan's decision, which the generated code states in a comment over the loop.
/// </summary>
/// <param name="Reversed">Whether the reverse sweep runs the loop back at all.</param>
/// <param name="Taped">Values each iteration keeps on a tape.</param>
/// <param name="Spans">Spans the reverse sweep recomputes (they cannot be taped).</param>
/// <param name="Rerun">With RecomputeLoops: the values each reverse iteration recomputes from the taped carried values.</param>
/// <param name="ShapesOnly">Carried tensors of which only the shape is kept (for their gradients).</param>
/// <param name="Partials">Calls to another file's method whose partials each iteration keeps (computed with the value).</param>
internal sealed record LoopTaping(bool Reversed, IReadOnlyList<int> Taped, IReadOnlyList<int> Spans, IReadOnlyList<int> Rerun, IReadOnlyList<int> ShapesOnly, IReadOnlyList<int> Partials);

/// <summary>One field of a generated method's workspace class.</summary>
internal sealed record WorkspaceField(WorkspaceFieldKind Kind, string Type, string Name);

/// <summary>
/// The plan of one generated reverse-mode method (a gradient, a pullback, or the buffered forward pass): the pruned
/// forward statements, the resolved reverse sweep and, per value, whether it is taped, hoisted before its branch,
/// recomputed, kept only as a shape, copied out of a loop's alternating buffers, and which workspace fields exist.
/// <see cref="ReversePlanner"/> builds it once; afterwards it only answers questions, and the printer decides nothing.
/// </summary>
internal sealed partial class ReversePlan
{
    private readonly IrMethod _ir;
    private int[] _owner = [];
    private readonly Dictionary<int, IrAssign> _definitions = new();
    private readonly HashSet<int> _loopPhis = new();
    private readonly HashSet<int> _nestedLoopCursors = new();
    private readonly Dictionary<int, int> _enclosing = new();
    private readonly HashSet<int> _exitTaped = new();
    private readonly HashSet<int> _shapeTaped = new();
    private readonly HashSet<int> _copiedExits = new();
    private readonly Dictionary<int, List<IrStatement>> _recomputed = new();
    private readonly Dictionary<int, HashSet<int>> _hoistedInRecompute = new();
    private readonly HashSet<int> _ringLoops = new();
    private readonly HashSet<int> _keptInRecompute = new();
    private readonly Dictionary<(int, string), string> _auxiliaryTapeNames = new();
    private readonly List<WorkspaceField> _workspaceFields = new();
    private HashSet<int> _hoisted = new();
    private HashSet<int> _reverseReads = new();
    private HashSet<int> _cursorLoops = new();
    private HashSet<int>? _phiSources;
    private string?[] _gradientNames = [];
    private List<IrStatement> _forward = new();
    private RBlock _reverse = new();
    private HashSet<int> _declared = new();
    private List<KeyValuePair<IrTypeKind, string>> _discards = new();

    private ReversePlan(IrMethod ir, SweepMode mode, string methodName, string publicName, bool recomputeLoops, bool isPublic)
    {
        _ir = ir;
        Mode = mode;
        MethodName = methodName;
        PublicName = publicName;
        RecomputeLoops = recomputeLoops;
        IsPublic = isPublic;
    }

    public IrMethod Ir => _ir;

    public SweepMode Mode { get; }

    /// <summary>The generated method's name (<c>LossGradientKeepingLoops</c>, say).</summary>
    public string MethodName { get; }

    /// <summary>The public method this one is or serves (<c>LossGradient</c>).</summary>
    public string PublicName { get; }

    /// <summary>Whether innermost loops keep only their carried values and the reverse sweep recomputes the rest.</summary>
    public bool RecomputeLoops { get; }

    public bool IsPublic { get; }

    /// <summary>The forward statements, pruned to what the reverse sweep reads (and, in the gradient, the result).</summary>
    public IReadOnlyList<IrStatement> Forward => _forward;

    /// <summary>The reverse sweep, each gradient's declaration placed.</summary>
    public RBlock Reverse => _reverse;

    /// <summary>Locals that receive derivatives nobody reads, by element type.</summary>
    public IReadOnlyList<KeyValuePair<IrTypeKind, string>> Discards => _discards;

    /// <summary>The workspace class's fields, in the order the method first uses them.</summary>
    public IReadOnlyList<WorkspaceField> WorkspaceFields => _workspaceFields;

    /// <summary>The derivative parameters of the signature: gradients (<c>dw1</c>) and the pullback's seed (<c>dResult</c>).</summary>
    public SignatureNames Signature { get; private set; } = new(new Dictionary<int, string>(), string.Empty);

    /// <summary>How the forward sweep prints the user's variables and loops in the user's form (<see cref="LoopLocals"/>).</summary>
    public LoopLocals Locals { get; private set; } = null!;

    /// <summary>Whether the method reads a workspace (buffers, tapes, saved state).</summary>
    public bool UsesWorkspace { get; private set; }

    /// <summary>Whether a value's gradient is declared somewhere in the reverse sweep (or by the caller).</summary>
    public bool Declared(int value) => _declared.Contains(value);

    /// <summary>The name of a value's gradient (<c>dh</c> for <c>h</c>): named by the plan wherever the reverse sweep mentions it.</summary>
    public string GradientName(int value) =>
        _gradientNames[value] ?? throw new System.InvalidOperationException("the plan names no gradient of " + _ir.Values[value].Name);

    /// <summary>Whether a value is declared (as zero) before the outermost branch that defines it.</summary>
    public bool Hoisted(int value) => _hoisted.Contains(value);

    /// <summary>While a reverse iteration of <paramref name="cursor"/> recomputes its body: whether a value is declared before that body's branches.</summary>
    public bool HoistedInRecompute(int cursor, int value) =>
        _hoisted.Contains(value) || (_hoistedInRecompute.TryGetValue(cursor, out var set) && set.Contains(value));

    /// <summary>Whether the reverse sweep reads a forward value (not only a call's partials, which have slots of their own).</summary>
    public bool ReverseReads(int value) => _reverseReads.Contains(value) && !_partialsOnly.Contains(value);

    /// <summary>Whether a loop counts its iterations (a cursor that indexes its tapes or alternates its buffers).</summary>
    public bool Counted(int cursor) => _cursorLoops.Contains(cursor);

    /// <summary>For a loop whose reverse iterations rerun its body first (RecomputeLoops), that body, pruned.</summary>
    public IReadOnlyList<IrStatement>? RecomputedBody(int cursor) => _recomputed.TryGetValue(cursor, out var body) ? body : null;

    /// <summary>Whether a loop's tensors alternate between two buffers (<c>[iter0 &amp; 1]</c>).</summary>
    public bool Alternates(int cursor) => _ringLoops.Contains(cursor);

    /// <summary>What <paramref name="loop"/> tapes and what the reverse sweep recomputes instead.</summary>
    public LoopTaping Taping(IrLoop loop)
    {
        var cursor = loop.Cursor;
        var owned = IrWalker.DefinitionOrder(_ir.Body.Statements).Where(id => Owner(id) == cursor).ToList();
        var body = RecomputedBody(cursor);
        return new LoopTaping(
            _reverse.Descendants().OfType<RLoop>().Any(l => l.Loop.Cursor == cursor),
            owned.Where(Taped).ToList(),
            owned.Where(id => Recomputed(id) && _reverseReads.Contains(id)).ToList(),
            body is null ? [] : IrWalker.DefinitionOrder(body).Where(id => !Taped(id)).ToList(),
            loop.Carried.Select(c => c.Phi).Concat(owned).Where(_shapeTaped.Contains).Distinct().ToList(),
            owned.Where(id => ComputesPartials(id, recomputing: false)).ToList());
    }

    /// <summary>The cursor of the innermost loop whose iterations define a value (-1: none).</summary>
    public int Owner(int value) => value < _owner.Length ? _owner[value] : -1;

    /// <summary>The cursor of the loop enclosing a loop (-1: none).</summary>
    public int Enclosing(int cursor) => _enclosing[cursor];

    /// <summary>Whether a loop is nested in another (its reverse runs down to the cursor value it started from).</summary>
    public bool Nested(int cursor) => _nestedLoopCursors.Contains(cursor);

    public bool IsLoopPhi(int value) => _loopPhis.Contains(value);

    public bool Defines(int value) => _definitions.ContainsKey(value);

    public IrAssign Definition(int value) => _definitions[value];

    /// <summary>Whether a carried value of a nested loop is kept, as the loop left it, on a tape of the enclosing loop.</summary>
    public bool ExitTaped(int phi) => _exitTaped.Contains(phi);

    /// <summary>The nested loops' carried values that an iteration of <paramref name="cursor"/> keeps as they left them.</summary>
    public IEnumerable<int> ExitTapedIn(int cursor) => _exitTaped.Where(p => _enclosing[_owner[p]] == cursor).OrderBy(p => p);

    /// <summary>
    /// Whether an iteration keeps only a tensor's shape (for a gradient), not the tensor: a carried one in a recomputed
    /// iteration, or one the iteration defines whose value the reverse sweep does not read.
    /// </summary>
    public bool ShapeTaped(int id) => _shapeTaped.Contains(id);

    /// <summary>Whether a tensor leaving a loop is copied out of the buffers the loop's next run reuses.</summary>
    public bool CopiedExit(int exit) => _copiedExits.Contains(exit);

    /// <summary>The name of the tape keeping a nested loop's carried value as that loop left it (<c>hExit</c>).</summary>
    public string ExitTapeName(int phi) => _auxiliaryTapeNames[(phi, "Exit")];

    /// <summary>The name of the tape keeping a carried tensor's shape (<c>hShape</c>).</summary>
    public string ShapeTapeName(int phi) => _auxiliaryTapeNames[(phi, "Shape")];

    private bool IsTensor(int id) => _ir.Values[id].Type.IsTensor;

    private bool InRecomputedLoop(int id) => _owner[id] >= 0 && _recomputed.ContainsKey(_owner[id]);

    /// <summary>
    /// A value a loop iteration defines that the reverse sweep needs back: kept on a tape. In a recomputed loop,
    /// only the carried values (phis) and results of calls with side effects are kept.
    /// </summary>
    public bool Taped(int id)
    {
        if (id >= _owner.Length || _owner[id] < 0 || _ir.Values[id].Type.IsRefLike)
        {
            return false; // spans cannot be kept: they are recomputed
        }

        if (InRecomputedLoop(id))
        {
            return _keptInRecompute.Contains(id)
                && (_loopPhis.Contains(id) || (_definitions.TryGetValue(id, out var assign) && IrLiveness.HasSideEffects(assign.Value)));
        }

        return ReverseReads(id);
    }

    /// <summary>A span defined by a loop iteration that the reverse sweep reads: recomputed there.</summary>
    public bool Recomputed(int id) => _owner[id] >= 0 && _ir.Values[id].Type.IsRefLike && _definitions.ContainsKey(id) && !InRecomputedLoop(id);

    /// <summary>
    /// Whether a tensor a loop iteration computes needs a buffer of its own per iteration: when it is taped, in a
    /// loop whose buffers alternate, or when it may outlive its iteration (a source of a phi: carried to the next
    /// iteration or out of a branch). Any other one is overwritten by the next iteration in a single buffer.
    /// </summary>
    public bool KeepsIterationBuffer(int id) =>
        Taped(id) || PhiSources.Contains(id) || (_ringLoops.Contains(_owner[id]) && Mode != SweepMode.Value);

    /// <summary>Whether a tensor call inside a loop writes straight into its slot of the tape.</summary>
    public bool WritesIntoSlot(IrAssign assign) =>
        assign.Value is IrCall { Callee.HasDestination: true } && _owner[assign.Target] >= 0;

    /// <summary>Whether a tensor call's destination is its slot of a tape (else a workspace buffer named after the value).</summary>
    public bool DestinationIsTape(int id) => _owner[id] >= 0 && KeepsIterationBuffer(id);

    /// <summary>
    /// The loop whose cursor indexes a value's slot (-1: none, a value outside loops); <paramref name="alternating"/>
    /// when the slot is <c>[iter0 &amp; 1]</c>, a loop whose buffers alternate, unless the value is kept there for the
    /// reverse sweep (a call that may not repeat, computed once into its own slot).
    /// </summary>
    public int Slot(int id, out bool alternating)
    {
        alternating = false;
        if (id >= _owner.Length || _owner[id] < 0)
        {
            return -1;
        }

        alternating = _ringLoops.Contains(_owner[id]) && !Taped(id);
        return _owner[id];
    }

    private HashSet<int> PhiSources => _phiSources ??= new HashSet<int>(
        IrWalker.Loops(_ir.Body.Statements).SelectMany(l => l.Carried).SelectMany(c => IrWalker.References(c.Initial).Concat(IrWalker.References(c.Next)))
            .Concat(AllStatements(_ir.Body.Statements).OfType<IrIf>().SelectMany(b => b.Phis)
                .SelectMany(phi => IrWalker.References(phi.WhenTrue).Concat(IrWalker.References(phi.WhenFalse)))));

    private static IEnumerable<IrStatement> AllStatements(IEnumerable<IrStatement> statements)
    {
        foreach (var statement in statements)
        {
            yield return statement;
            var nested = statement switch
            {
                IrIf branch => branch.Then.Statements.Concat(branch.Else.Statements),
                IrLoop loop => loop.Header.Statements.Concat(loop.Body.Statements),
                _ => Enumerable.Empty<IrStatement>(),
            };
            foreach (var inner in AllStatements(nested))
            {
                yield return inner;
            }
        }
    }

    /// <summary>Values defined inside a branch statement (at any depth), in definition order.</summary>
    public static IEnumerable<int> DefinedWithin(IrIf branch)
    {
        foreach (var block in new[] { branch.Then, branch.Else })
        {
            foreach (var statement in block.Statements)
            {
                switch (statement)
                {
                    case IrAssign assign:
                        yield return assign.Target;
                        break;
                    case IrIf nested:
                        foreach (var id in nested.Phis.Select(p => p.Target).Concat(DefinedWithin(nested)))
                        {
                            yield return id;
                        }

                        break;
                    case IrLoop loop:
                        // What a loop defines per iteration is taped; what it defines once is hoisted.
                        foreach (var carried in loop.Carried)
                        {
                            yield return carried.Phi;
                            if (carried.Exit >= 0)
                            {
                                yield return carried.Exit;
                            }
                        }

                        break;
                }
            }
        }
    }
}
