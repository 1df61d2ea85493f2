/// Reads the small CSV side tables (aliases, accounts): a header naming the columns, then rows.
enum SideTable {
    struct Row {
        let line: Int
        let values: [String]
    }

    /// The rows' values of `columns` (in that order), and the problems of the rows left out, each
    /// `file:line: message`. A missing column, an empty file or a broken quote throws at once.
    static func read(path: String, columns: [String]) throws -> (rows: [Row], problems: [(line: Int, text: String)]) {
        let reader = try LogFileReader(path: path, maxRecord: EventLogImporter.maxLineBytes)
        let scratch = Scratch(capacity: 2 * reader.capacity + 64)
        let splitter = CSVRecordSplitter(capacity: 64, scratch: scratch)
        try reader.skipByteOrderMark()
        if reader.available == 0 && reader.atEOF { throw EventImportError.emptyFile(path: path) }
        var rows: [Row] = []
        var problems: [(line: Int, text: String)] = []
        var index: [Int]?
        var width = 0
        var line = 1
        while true {
            if reader.available == 0 {
                if reader.atEOF { break }
                try reader.refill()
                continue
            }
            scratch.reset()
            let base = reader.buffer + reader.start
            switch splitter.split(base, available: reader.available, atEOF: reader.atEOF) {
            case .needMore:
                guard reader.available <= EventLogImporter.maxLineBytes else {
                    throw EventImportError.invalidTable(
                        path: path, problems: ["\(path):\(line): line longer than 1 MiB"])
                }
                try reader.refill()
            case .malformed(let reason):
                throw EventImportError.invalidTable(
                    path: path, problems: problems.map(\.text) + ["\(path):\(line): \(reason)"])
            case .record(let length, let breaks, let fields):
                reader.start += length
                defer { line += breaks }
                guard UTF8Check.isValid(base, length) else {
                    problems.append((line, "\(path):\(line): invalid UTF-8"))
                    continue
                }
                let values = (0..<min(fields, splitter.capacity)).map {
                    splitter.fields[$0].string().trimmingCharacters(in: " \t")
                }
                if values.count == 1 && values[0].isEmpty { continue }
                guard let index else {
                    let names = values.map { $0.lowercased() }
                    var found: [Int] = []
                    for column in columns {
                        guard let i = names.firstIndex(of: column) else {
                            throw EventImportError.missingColumn(path: path, line: line, column: column)
                        }
                        found.append(i)
                    }
                    index = found
                    width = fields
                    continue
                }
                guard fields == width else {
                    problems.append((line, "\(path):\(line): expected \(width) fields, found \(fields)"))
                    continue
                }
                let picked = index.map { values[$0] }
                if let empty = picked.firstIndex(where: \.isEmpty) {
                    problems.append((line, "\(path):\(line): empty '\(columns[empty])'"))
                    continue
                }
                rows.append(Row(line: line, values: picked))
            }
        }
        if index == nil { throw EventImportError.emptyFile(path: path) }
        return (rows, problems)
    }

    /// Throws every problem, in line order, when there is any.
    static func check(_ problems: [(line: Int, text: String)], path: String) throws {
        guard !problems.isEmpty else { return }
        let sorted = problems.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }
        throw EventImportError.invalidTable(path: path, problems: sorted.map(\.element.text))
    }
}

/// Second identities mapped back to their users: `alias,user_id` rows (the simulator's `d0000123` is
/// `u0000123`). One level only: a user id that is itself an alias is an error, as is an alias given two users.
final class AliasTable {
    private let aliases = ByteInterner()
    private let users = ByteInterner()
    private var target = ContiguousArray<Int32>()
    /// Copies of the user ids that never move, for spans handed out on the hot path.
    private var stable: [StableBytes] = []

    var count: Int { target.count }

    init(path: String) throws {
        var (rows, problems) = try SideTable.read(path: path, columns: ["alias", "user_id"])
        var seen: [String: (user: String, line: Int)] = [:]
        let aliasSet = Set(rows.map { $0.values[0] })
        for row in rows {
            let alias = row.values[0]
            let user = row.values[1]
            if alias == user { continue }
            if let earlier = seen[alias] {
                if earlier.user != user {
                    let message = "alias '\(alias)' already maps to '\(earlier.user)' (line \(earlier.line))"
                    problems.append((row.line, "\(path):\(row.line): \(message)"))
                }
                continue
            }
            if aliasSet.contains(user) {
                problems.append(
                    (row.line, "\(path):\(row.line): '\(user)' is itself an alias; map '\(alias)' to its user"))
                continue
            }
            seen[alias] = (user, row.line)
            let userBytes = StableBytes(user)
            let (u, isNew) = users.intern(userBytes.span)
            if isNew { stable.append(userBytes) }
            let aliasBytes = StableBytes(alias)
            _ = aliases.intern(aliasBytes.span)
            target.append(Int32(u))
        }
        try SideTable.check(problems, path: path)
    }

    /// The user an alias stands for, or nil when `id` is not an alias.
    @inline(__always)
    func canonical(of id: ByteSpan) -> ByteSpan? {
        let a = aliases.find(id)
        return a < 0 ? nil : stable[Int(target[a])].span
    }

    /// `id` with aliases resolved, as a string.
    func resolve(_ id: String) -> String {
        var copy = id
        return copy.withUTF8 { buffer in
            guard let base = buffer.baseAddress, let c = canonical(of: ByteSpan(base: base, count: buffer.count)) else {
                return id
            }
            return c.string()
        }
    }
}

/// `user_id,account_id` rows: the account of each user, overriding what the events say.
struct AccountTable {
    private(set) var accountOf: [String: String] = [:]

    init(path: String, aliases: AliasTable?) throws {
        var (rows, problems) = try SideTable.read(path: path, columns: ["user_id", "account_id"])
        var lineOf: [String: Int] = [:]
        for row in rows {
            let user = aliases?.resolve(row.values[0]) ?? row.values[0]
            let account = row.values[1]
            if let earlier = accountOf[user] {
                if earlier != account {
                    let message = "user '\(user)' is already in account '\(earlier)' (line \(lineOf[user]!))"
                    problems.append((row.line, "\(path):\(row.line): \(message)"))
                }
                continue
            }
            accountOf[user] = account
            lineOf[user] = row.line
        }
        try SideTable.check(problems, path: path)
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let scalars = unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, set.unicodeScalars.contains(scalars[start]) { start = scalars.index(after: start) }
        while end > start, set.unicodeScalars.contains(scalars[scalars.index(before: end)]) {
            end = scalars.index(before: end)
        }
        return String(scalars[start..<end])
    }
}
