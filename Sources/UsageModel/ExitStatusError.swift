/// An error that knows the command line's exit status for it (DESIGN.md invariant 5): 2 for bad
/// input — a file, an option or a size the user can fix —, 1 for a failure while running. The
/// command line has one `catch` for all of them instead of one per module.
public protocol ExitStatusError: Error, CustomStringConvertible {
    var exitStatus: Int32 { get }
    /// Whether every line of the message already starts with its file and place (`bad.yaml:3:7: …`),
    /// as a compiler's do; other messages are printed after the program's name.
    var isPlaced: Bool { get }
}

extension ExitStatusError {
    public var isPlaced: Bool { false }
}
