/// A place in a document as users write it: `personas[1].states.fading.sessions.mean`.
///
/// Map keys are kept as written, so the path matches what the user sees in the file; the root is empty.
public struct NodePath: Sendable, Hashable, CustomStringConvertible {
    public let description: String

    public static let root = NodePath(description: "")

    private init(description: String) {
        self.description = description
    }

    public func key(_ name: String) -> NodePath {
        NodePath(description: description.isEmpty ? name : description + "." + name)
    }

    public func index(_ position: Int) -> NodePath {
        NodePath(description: description + "[\(position)]")
    }
}
