namespace SymDiff.Generator.Helpers;

/// <summary>Names of the incremental pipeline steps, so tests can check which steps re-ran.</summary>
internal static class WellKnownTrackingNames
{
    /// <summary>The <c>ForAttributeWithMetadataName</c> transform: semantic analysis and lowering to IR.</summary>
    public const string Lower = nameof(Lower);

    /// <summary>The method model (IR and declaration facts) without diagnostics.</summary>
    public const string Model = nameof(Model);

    /// <summary>Differentiation of the IR and emission of the C# text.</summary>
    public const string Emit = nameof(Emit);

    /// <summary>The check of one <c>[PullbackOf]</c> rule's signature.</summary>
    public const string Rules = nameof(Rules);

    /// <summary>The check of each <c>[PushforwardOf]</c> rule.</summary>
    public const string PushforwardRules = nameof(PushforwardRules);

    /// <summary>The check of each <c>[PullbackTangentOf]</c> rule.</summary>
    public const string PullbackTangentRules = nameof(PullbackTangentRules);

    /// <summary>The diagnostics of one method.</summary>
    public const string Diagnostics = nameof(Diagnostics);
}
