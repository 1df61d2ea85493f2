/// A value read from an optional place, keeping "not given" apart from "given but wrong".
///
/// The difference matters where one place falls back on another (a persona's emissions on the state's):
/// a wrong value has already been reported, and must not be reported again as missing.
enum Parsed<Value> {
    case absent
    case invalid
    case valid(Value)

    var value: Value? {
        if case .valid(let value) = self { return value }
        return nil
    }

    /// This value when given (right or wrong), else the fallback.
    func or(_ fallback: Parsed<Value>) -> Parsed<Value> {
        if case .absent = self { return fallback }
        return self
    }

    init(_ value: Value?) {
        self = value.map { .valid($0) } ?? .invalid
    }
}

/// Declared names of one kind (states, features, …) and their indices in declaration order.
struct NameTable {
    /// What the names are, for messages: "state", "feature".
    let noun: String
    private(set) var names: [String] = []
    private(set) var indices: [String: Int] = [:]
    /// False when some declaration could not be read at all: a reference to a name that is not here
    /// may then be to the unreadable one, so it is not reported again.
    var isComplete = true

    init(noun: String) {
        self.noun = noun
    }

    var count: Int { names.count }

    func index(of name: String) -> Int? { indices[name] }

    /// Adds a name; returns false when it was declared before.
    mutating func add(_ name: String) -> Bool {
        guard indices[name] == nil else { return false }
        indices[name] = names.count
        names.append(name)
        return true
    }
}
