import Foundation

/// What one event does to its user-day.
struct Effect {
    var session = false
    var keyAction = false
    var signUp = false
    var features: UInt32 = 0
    var milestones: UInt16 = 0
    var capReached = false
    /// Features the event is a premium attempt of.
    var premium: UInt32 = 0
    var nps: Int8 = -1
    /// The event's amount in millionths of the currency unit; ``hasRevenue`` when it carried one.
    var revenue: Int64 = 0
    var hasRevenue = false
    var commerce = CommerceKind.none
    var up = false
    /// Plan index after a billing event, or -1 when it names none.
    var plan = -1

    @inline(__always)
    var isEmpty: Bool {
        !session && !keyAction && !signUp && features == 0 && milestones == 0 && nps < 0 && !hasRevenue
            && commerce == .none && !capReached && premium == 0
    }
}

/// An event with its meaning, as both passes need it.
struct Interpreted {
    var millis: Int64 = 0
    /// UTC day since 1970-01-01.
    var day: Int64 = 0
    var user: ByteSpan
    var userWasAlias = false
    var account: ByteSpan
    var effect = Effect()
    /// The event name as looked up (after normalisation), for counting unknown names.
    var event: ByteSpan
    /// The plan value that was not found, for counting unknown plans.
    var plan: ByteSpan

    init(empty base: UnsafePointer<UInt8>) {
        user = ByteSpan(base: base, count: 0)
        account = user
        event = user
        plan = user
    }
}

/// Gives a raw event its meaning under the taxonomy, or the reason it is skipped.
///
/// Both passes run exactly this, so pass 2 uses exactly the events pass 1 counted.
final class EventInterpreter {
    let taxonomy: CompiledTaxonomy
    let aliases: AliasTable?
    let scratch: Scratch
    /// Inclusive UTC day range; events outside are skipped (before the start still dates the user).
    @exclusivity(unchecked) var firstDay = Int64.min
    @exclusivity(unchecked) var lastDay = Int64.max
    @exclusivity(unchecked) private var dateCache = Timestamp.DateCache()
    private let kinds: UnsafeMutablePointer<JSONKind>
    private let values: UnsafeMutablePointer<ByteSpan>
    private let capacity: Int
    private let normalizeNames: Bool
    private let useAnonymousID: Bool

    init(taxonomy: CompiledTaxonomy, aliases: AliasTable?, scratch: Scratch) {
        self.taxonomy = taxonomy
        normalizeNames = taxonomy.source.normalizeEventNames
        useAnonymousID = taxonomy.source.useAnonymousID
        self.aliases = aliases
        self.scratch = scratch
        capacity = max(taxonomy.maxWanted, 1)
        kinds = .allocate(capacity: capacity)
        values = .allocate(capacity: capacity)
    }

    deinit {
        kinds.deallocate()
        values.deallocate()
    }

    /// An interpreter of the same taxonomy, aliases and days over another scratch: for another thread.
    func copy(scratch: Scratch) -> EventInterpreter {
        let copy = EventInterpreter(taxonomy: taxonomy, aliases: aliases, scratch: scratch)
        copy.firstDay = firstDay
        copy.lastDay = lastDay
        return copy
    }

    /// Fills `out` and returns nil when the event is used, else the reason it is skipped; a line that cannot be
    /// read throws.
    @inline(__always)
    func interpret(_ raw: RawEvent, _ out: inout Interpreted) throws(MalformedReason) -> ImportSummary.SkipReason? {
        if !raw.isTrack { return .notTrack }
        guard let millis = Timestamp.parse(raw.timestamp, cache: &dateCache) else {
            throw .invalidTimestamp(raw.timestamp.quoted())
        }
        out.millis = millis
        out.day = Timestamp.day(ofMillis: millis)

        var name = raw.event
        if normalizeNames { name = normalized(name) }
        out.event = name
        let index = taxonomy.names.find(name)
        guard index >= 0 else {
            try readProperties(raw, nil, 0)
            return .unknownEvent
        }
        let rule = taxonomy.rules[index]
        try readProperties(raw, rule.wanted, rule.wantedCount)
        if rule.ignored { return .ignoredEvent }

        var user = raw.user
        if user.isEmpty && useAnonymousID { user = raw.anonymous }
        if user.isEmpty { return .emptyUserID }
        out.userWasAlias = false
        if let aliases, let canonical = aliases.canonical(of: user) {
            user = canonical
            out.userWasAlias = true
        }
        out.user = user
        out.account = raw.account

        var e = Effect()
        e.session = rule.session
        e.keyAction = rule.keyAction
        e.signUp = rule.signUp
        e.features = rule.features
        e.milestones = rule.milestones
        e.capReached = rule.capReached
        e.premium = rule.premium
        for c in 0..<rule.conditionCount {
            let condition = rule.conditions![c]
            let kind = kinds[condition.slot]
            if kind == .string || kind == .number || kind == .literal, values[condition.slot].equals(condition.value) {
                e.features |= condition.features
                e.milestones |= condition.milestones
                e.premium |= condition.premium
            }
        }
        if rule.commerce != .none {
            let kind = kinds[rule.planSlot]
            if kind != .absent && kind != .null {
                let value = values[rule.planSlot]
                e.plan = kind == .object || kind == .array ? -1 : taxonomy.plan(value)
                if e.plan < 0 {
                    out.plan = value
                    return .unknownPlan
                }
            }
            if rule.commerce == .planChanged {
                let value = values[rule.directionSlot]
                let kind = kinds[rule.directionSlot]
                guard kind == .string else { return .invalidProperty }
                if taxonomy.upValues.contains(where: { $0.equals(value) }) {
                    e.up = true
                } else if !taxonomy.downValues.contains(where: { $0.equals(value) }) {
                    return .invalidProperty
                }
            }
            e.commerce = rule.commerce
        }
        if rule.npsSlot >= 0 {
            guard let score = EventInterpreter.score(kinds[rule.npsSlot], values[rule.npsSlot]) else {
                return .invalidProperty
            }
            e.nps = score
        }
        if rule.revenueSlot >= 0 {
            let kind = kinds[rule.revenueSlot]
            if kind != .absent && kind != .null {
                guard let amount = EventInterpreter.amount(kind, values[rule.revenueSlot]) else {
                    return .invalidProperty
                }
                e.revenue = amount
                e.hasRevenue = true
            }
        }
        if e.isEmpty { return .unmatchedProperty }
        out.effect = e
        if out.day < firstDay { return .beforeStart }
        if out.day > lastDay { return .afterEnd }
        return nil
    }

    /// Checks the properties object and picks out the wanted members' values.
    @inline(__always)
    private func readProperties(_ raw: RawEvent, _ wanted: UnsafePointer<ByteSpan>?, _ count: Int)
        throws(MalformedReason)
    {
        for i in 0..<count { kinds[i] = .absent }
        let text = raw.properties
        if text.isEmpty { return }
        if count == 0 && raw.propertiesChecked { return }
        var c = JSONCursor(text.base, count: text.count, scratch: scratch)
        c.skipSpace()
        if c.current != UInt8(ascii: "{") {
            var rest = ByteSpan(base: text.base + c.i, count: text.count - c.i)
            while rest.count > 0 && (rest[rest.count - 1] == 0x20 || rest[rest.count - 1] == 0x09) { rest.count -= 1 }
            if rest.equals("null") { return }
            throw .wrongType("properties", expected: "a JSON object")
        }
        let kinds = self.kinds
        let values = self.values
        do throws(JSONError) {
            try c.members { c, name throws(JSONError) in
                for i in 0..<count where wanted![i].equals(name) {
                    let (kind, value) = try c.value(depth: 1)
                    kinds[i] = kind
                    values[i] = value
                    return
                }
                try c.skipValue(depth: 1)
            }
            c.skipSpace()
            if !c.atEnd { throw c.fail("text after the properties object") }
        } catch {
            throw .invalidPropertiesJSON(String(describing: error.message), offset: error.offset + 1)
        }
    }

    /// An NPS score: a JSON integer 0–10, or a string holding one.
    @inline(__always)
    static func score(_ kind: JSONKind, _ value: ByteSpan) -> Int8? {
        guard kind == .number || kind == .string, value.count >= 1, value.count <= 2 else { return nil }
        var n = 0
        for i in 0..<value.count {
            let d = value[i] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            n = n * 10 + Int(d)
        }
        return n <= 10 ? Int8(n) : nil
    }

    /// An amount of money in millionths of the unit: a JSON number, or a string holding one in JSON's
    /// number syntax (`-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`, at most 64 characters), below 10⁹
    /// in size. Kept as an integer, so sums do not depend on the order of lines.
    static func amount(_ kind: JSONKind, _ value: ByteSpan) -> Int64? {
        guard kind == .number || kind == .string, (1...64).contains(value.count), isJSONNumber(value) else {
            return nil
        }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: value.count + 1) { text -> Int64? in
            for i in 0..<value.count { text[i] = CChar(bitPattern: value[i]) }
            text[value.count] = 0
            let x = strtod(text.baseAddress!, nil)
            guard x.isFinite, abs(x) < 1e9 else { return nil }
            return Int64((x * 1e6).rounded())
        }
    }

    /// Whether `text` is a number in JSON's syntax (RFC 8259, section 6).
    static func isJSONNumber(_ text: ByteSpan) -> Bool {
        var i = 0
        func digits() -> Int {
            let start = i
            while i < text.count, text[i] &- UInt8(ascii: "0") < 10 { i += 1 }
            return i - start
        }
        if i < text.count, text[i] == UInt8(ascii: "-") { i += 1 }
        guard i < text.count else { return false }
        if text[i] == UInt8(ascii: "0") {
            i += 1
        } else if digits() == 0 {
            return false
        }
        if i < text.count, text[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { return false }
        }
        if i < text.count, text[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < text.count, text[i] == UInt8(ascii: "+") || text[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { return false }
        }
        return i == text.count
    }

    /// Lower-cases ASCII letters and turns spaces into `_` (Segment's `Order Completed` → `order_completed`).
    private func normalized(_ name: ByteSpan) -> ByteSpan {
        let start = scratch.used
        for i in 0..<name.count {
            var c = name[i]
            if c == 0x20 {
                c = UInt8(ascii: "_")
            } else if c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") {
                c += 32
            }
            scratch.append(c)
        }
        return scratch.span(from: start)
    }
}
