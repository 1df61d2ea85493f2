/// What a rule may name, and the type of each name.
///
/// Rules are compiled against a catalog once; evaluation then loads metrics by ``MetricID``,
/// never by name. Every value is a `Double`: numbers as they are, flags as 0 or 1, and a choice
/// as the index of its option.
public struct MetricCatalog: Sendable {
    public private(set) var entries: [MetricInfo] = []
    private var index: [String: MetricID] = [:]
    /// Names a rule may not use with this product, and why (a metric that needs what the product lacks).
    private var withheld: [String: String] = [:]

    public init() {}

    /// Adds a metric; names are unique.
    @discardableResult
    public mutating func add(_ name: String, _ kind: MetricKind, help: String) -> MetricID {
        precondition(index[name] == nil, "metric \(name) declared twice")
        let id = MetricID(raw: Int32(entries.count))
        entries.append(MetricInfo(name: name, kind: kind, help: help))
        index[name] = id
        return id
    }

    /// Keeps `name` out of the catalog, with the reason a rule naming it is told.
    mutating func withhold(_ name: String, because reason: String) {
        withheld[name] = reason
    }

    public func lookup(_ name: String) -> MetricID? { index[name] }

    /// Why a metric the catalog knows of is not available, or `nil`.
    public func reasonWithheld(_ name: String) -> String? { withheld[name] }

    public subscript(id: MetricID) -> MetricInfo { entries[Int(id.raw)] }

    public var names: [String] { entries.map(\.name) }
}

public struct MetricID: Hashable, Sendable {
    public let raw: Int32
    public init(raw: Int32) { self.raw = raw }
}

public struct MetricInfo: Sendable, Equatable {
    public let name: String
    public let kind: MetricKind
    /// One line for `docs/segments.md` and error messages.
    public let help: String
}

public enum MetricKind: Sendable, Equatable {
    /// Compared with numbers: `key_actions_7 >= 20`.
    case number
    /// True or false, usable bare: `milestone.teammate_invited`, `not paying`.
    case flag
    /// One of named options, compared with `==` / `!=` to an option name:
    /// `feature.reports == habitual`. The value is the option's index.
    case choice([String])
}
