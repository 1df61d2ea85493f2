/// Turns rule text into a ``CompiledRule``, or the first problem in it with its column.
public enum RuleCompiler {
    /// The deepest a rule may nest, and the most values its evaluation may hold at once. Bounds the
    /// compiler's recursion and lets evaluation keep its stack in a fixed 512 bytes.
    public static let maximumDepth = 64

    /// Parses, resolves names against `catalog`, checks types and emits the program.
    ///
    /// - Throws: ``RuleError`` for the first problem, at its column.
    public static func compile(_ text: String, catalog: MetricCatalog) throws(RuleError) -> CompiledRule {
        let characters = Array(text)
        let tokens = try RuleLexer.tokens(of: characters)
        let syntax = try RuleParser.parse(tokens)
        var generator = RuleCodeGenerator(catalog: catalog, source: characters)
        try generator.condition(syntax)
        return CompiledRule(
            source: text, metrics: generator.metrics,
            program: RuleProgram(code: generator.code, sets: generator.sets, stackSize: generator.stackSize))
    }
}
