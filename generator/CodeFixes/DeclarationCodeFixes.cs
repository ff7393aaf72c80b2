using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace SymDiff.CodeFixes;

/// <summary>
/// The fixes that are obvious from the diagnostic alone: add <c>static</c> to a <c>[Differentiable]</c> method
/// (SD0006), add <c>partial</c> to its containing type (SD0007), mark a parameter that does not affect the result
/// <c>[NoDiff]</c> (SD1003).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DeclarationCodeFixes))]
[Shared]
public sealed class DeclarationCodeFixes : CodeFixProvider
{
    private const string MethodNotStatic = "SD0006";
    private const string TypeNotPartial = "SD0007";
    private const string ParameterDoesNotAffectResult = "SD1003";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(MethodNotStatic, TypeNotPartial, ParameterDoesNotAffectResult);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            var node = root.FindToken(diagnostic.Location.SourceSpan.Start).Parent;
            switch (diagnostic.Id)
            {
                case MethodNotStatic when node?.FirstAncestorOrSelf<MethodDeclarationSyntax>() is { } method:
                    Register(context, diagnostic, $"Make '{method.Identifier.Text}' static", method, (editor, target) =>
                        editor.SetModifiers(target, editor.Generator.GetModifiers(target).WithIsStatic(true)));
                    break;

                case TypeNotPartial when node?.FirstAncestorOrSelf<TypeDeclarationSyntax>() is { } type:
                    Register(context, diagnostic, $"Make '{type.Identifier.Text}' partial", type, (editor, target) =>
                        editor.SetModifiers(target, editor.Generator.GetModifiers(target).WithPartial(true)));
                    break;

                case ParameterDoesNotAffectResult when node?.FirstAncestorOrSelf<ParameterSyntax>() is { } parameter:
                    Register(context, diagnostic, $"Mark '{parameter.Identifier.Text}' [NoDiff]", parameter, (editor, target) =>
                        editor.AddAttribute(target, editor.Generator.Attribute(SyntaxFactory.ParseName(NoDiffName(editor.SemanticModel, target.SpanStart)))));
                    break;
            }
        }
    }

    private static void Register(
        CodeFixContext context,
        Diagnostic diagnostic,
        string title,
        SyntaxNode target,
        System.Action<DocumentEditor, SyntaxNode> edit) =>
        context.RegisterCodeFix(
            CodeAction.Create(
                title,
                cancellationToken => Apply(context.Document, target, edit, cancellationToken),
                equivalenceKey: diagnostic.Id),
            diagnostic);

    private static async Task<Document> Apply(
        Document document,
        SyntaxNode target,
        System.Action<DocumentEditor, SyntaxNode> edit,
        CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        edit(editor, target);
        return editor.GetChangedDocument();
    }

    /// <summary><c>NoDiff</c> where <c>using SymDiff;</c> (or an alias) makes it visible, else the qualified name.</summary>
    private static string NoDiffName(SemanticModel model, int position) =>
        model.LookupNamespacesAndTypes(position, name: "NoDiffAttribute")
            .Any(s => s.ToDisplayString() == "SymDiff.NoDiffAttribute")
            ? "NoDiff"
            : "global::SymDiff.NoDiff";
}
