/// The SQL engines `segmentlab sql` writes for, and the few places their syntax differs.
///
/// Everything else the generated queries use is common to the three: `WITH`, `CASE`, `COALESCE`,
/// `GROUP BY`, joins, `MIN`/`MAX`/`SUM`/`COUNT`, `||` and `substr`.
public enum SQLDialect: String, Sendable, CaseIterable {
    case postgres, duckdb, clickhouse

    /// A string literal.
    public func literal(_ text: String) -> String {
        switch self {
        case .postgres, .duckdb: return "'" + Self.escape(text, ["'": "''"]) + "'"
        case .clickhouse:
            return "'" + Self.escape(text, ["\\": "\\\\", "'": "\\'"])
                + "'"
        }
    }

    /// An identifier, quoted when it is not plain lower-case letters, digits and `_`.
    public func identifier(_ name: String) -> String {
        let plain = name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
        if plain, let first = name.utf8.first, !(first >= 48 && first <= 57) { return name }
        switch self {
        case .postgres, .duckdb: return "\"" + Self.escape(name, ["\"": "\"\""]) + "\""
        case .clickhouse: return "`" + Self.escape(name, ["`": "``"]) + "`"
        }
    }

    /// A column name, always quoted (`timestamp` and `event` are keywords somewhere).
    public func quoted(_ name: String) -> String {
        switch self {
        case .postgres, .duckdb: return "\"" + Self.escape(name, ["\"": "\"\""]) + "\""
        case .clickhouse: return "`" + Self.escape(name, ["`": "``"]) + "`"
        }
    }

    /// `text` as an integer.
    public func toInteger(_ text: String) -> String {
        switch self {
        case .postgres, .duckdb: return "CAST(\(text) AS INTEGER)"
        case .clickhouse: return "CAST(\(text) AS Int32)"
        }
    }

    /// Whether `text` is one or two ASCII digits.
    public func isOneOrTwoDigits(_ text: String) -> String {
        switch self {
        case .postgres: return "(\(text) ~ '^[0-9]{1,2}$')"
        case .duckdb: return "regexp_full_match(\(text), '[0-9]{1,2}')"
        case .clickhouse: return "match(\(text), '^[0-9]{1,2}$')"
        }
    }

    /// Whether `text` is a number in JSON's syntax (RFC 8259, section 6).
    public func isJSONNumber(_ text: String) -> String {
        let pattern = "-?(0|[1-9][0-9]*)([.][0-9]+)?([eE][+-]?[0-9]+)?"
        switch self {
        case .postgres: return "(\(text) ~ '^\(pattern)$')"
        case .duckdb: return "regexp_full_match(\(text), '\(pattern)')"
        case .clickhouse: return "match(\(text), '^\(pattern)$')"
        }
    }

    /// `text`, a number in JSON's syntax, in size: exact in PostgreSQL (numeric), else a double
    /// (infinite when out of its range).
    public func magnitude(_ text: String) -> String {
        switch self {
        case .postgres: return "abs(CAST(\(text) AS numeric))"
        case .duckdb: return "abs(TRY_CAST(\(text) AS DOUBLE))"
        case .clickhouse: return "abs(toFloat64OrNull(\(text)))"
        }
    }

    /// A table name as given (`schema.table` stays dotted), each part quoted as needed.
    public func table(_ name: String) -> String {
        name.split(separator: ".", omittingEmptySubsequences: false).map { identifier(String($0)) }.joined(
            separator: ".")
    }

    public var double: String {
        switch self {
        case .postgres: return "DOUBLE PRECISION"
        case .duckdb: return "DOUBLE"
        case .clickhouse: return "Float64"
        }
    }

    public var bigint: String {
        switch self {
        case .postgres, .duckdb: return "BIGINT"
        case .clickhouse: return "Int64"
        }
    }

    /// `expression` as a double.
    public func toDouble(_ expression: String) -> String { "CAST(\(expression) AS \(double))" }

    /// Positive infinity: SegmentLab's "never" in days since something.
    public var infinity: String {
        switch self {
        case .postgres: return "CAST('Infinity' AS DOUBLE PRECISION)"
        case .duckdb: return "CAST('inf' AS DOUBLE)"
        case .clickhouse: return "inf"
        }
    }

    /// A double that is NULL where `expression` is NaN. PostgreSQL and DuckDB order NaN above every
    /// number and make it equal to itself; SegmentLab compares as IEEE 754 does, where NaN is
    /// neither, so the queries carry NaN as NULL and say what each comparison gives on it.
    public func nanAsNull(_ expression: String) -> String {
        switch self {
        case .postgres: return "NULLIF(\(expression), CAST('NaN' AS DOUBLE PRECISION))"
        case .duckdb: return "NULLIF(\(expression), CAST('nan' AS DOUBLE))"
        case .clickhouse: return "if(isNaN(\(expression)), NULL, \(expression))"
        }
    }

    /// Integer division of non-negative integers.
    public func div(_ a: String, _ b: String) -> String {
        switch self {
        case .postgres: return "((\(a)) / (\(b)))"
        case .duckdb: return "((\(a)) // (\(b)))"
        case .clickhouse: return "intDiv(\(a), \(b))"
        }
    }

    /// The remainder of non-negative integers.
    public func mod(_ a: String, _ b: String) -> String { "((\(a)) % (\(b)))" }

    /// Milliseconds since 1970 (UTC) of a timestamp column.
    public func epochMillis(_ column: String) -> String {
        switch self {
        case .postgres: return "CAST(FLOOR(EXTRACT(EPOCH FROM \(column)) * 1000) AS BIGINT)"
        case .duckdb: return "epoch_ms(\(column))"
        case .clickhouse: return "toUnixTimestamp64Milli(\(column))"
        }
    }

    /// The day `day` (days since 1970-01-01) as `YYYY-MM-DD` text.
    public func dateText(_ day: String) -> String {
        switch self {
        case .postgres: return "CAST(DATE '1970-01-01' + CAST(\(day) AS INTEGER) AS TEXT)"
        case .duckdb: return "CAST(DATE '1970-01-01' + CAST(\(day) AS INTEGER) AS VARCHAR)"
        case .clickhouse: return "toString(addDays(toDate('1970-01-01'), \(day)))"
        }
    }

    /// Rows `value` for `first, first + step, … ≤ last`, as the only column of a subquery.
    public func series(from first: String, to last: String, step: Int, as column: String) -> String {
        switch self {
        case .postgres: return "SELECT generate_series(\(first), \(last), \(step)) AS \(column)"
        case .duckdb: return "SELECT UNNEST(generate_series(\(first), \(last), \(step))) AS \(column)"
        case .clickhouse:
            return "SELECT arrayJoin(range(toInt64(\(first)), toInt64(\(last)) + 1, \(step))) AS \(column)"
        }
    }

    /// The text of property `key` of a JSON object column: a string's value, a number's or
    /// `true`/`false`'s JSON text as written; NULL when absent, null, an object or an array.
    /// PostgreSQL's `json` keeps a number's text; DuckDB and ClickHouse print numbers anew (`1.50` as
    /// `1.5`), so there the text is cut out of the object with a pattern on `"key": value`.
    public func jsonScalar(_ column: String, _ key: String) -> String {
        let keyPattern = Self.escape(key, Dictionary(uniqueKeysWithValues: "\\.^$|?*+()[]{}".map { ($0, "\\\($0)") }))
        let raw = literal("\"" + keyPattern + "\"\\s*:\\s*(-?[0-9][0-9.eE+-]*|true|false)")
        switch self {
        case .postgres:
            let member = "(\(column) -> \(literal(key)))"
            return
                "CASE WHEN json_typeof\(member) IN ('string', 'number', 'boolean') THEN \(column) ->> \(literal(key)) END"
        case .duckdb:
            let path = literal("$.\"" + Self.escape(key, ["\"": "\\\""]) + "\"")
            return "CASE WHEN json_type(\(column), \(path)) = 'VARCHAR' THEN json_extract_string(\(column), \(path)) "
                + "WHEN json_type(\(column), \(path)) IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'BOOLEAN') "
                + "THEN NULLIF(regexp_extract(CAST(\(column) AS VARCHAR), \(raw), 1), '') END"
        case .clickhouse:
            let k = literal(key)
            return "multiIf(JSONType(\(column), \(k)) = 'String', JSONExtractString(\(column), \(k)), "
                + "JSONType(\(column), \(k)) IN ('Int64', 'UInt64', 'Double', 'Bool'), nullIf(extract(\(column), \(raw)), ''), NULL)"
        }
    }

    /// Whether property `key` is present and neither null, an object nor an array (the kinds whose
    /// value `jsonScalar` gives), and whether it is a JSON string.
    public func jsonIsString(_ column: String, _ key: String) -> String {
        switch self {
        case .postgres: return "(json_typeof(\(column) -> \(literal(key))) = 'string')"
        case .duckdb:
            let path = literal("$.\"" + Self.escape(key, ["\"": "\\\""]) + "\"")
            return "(json_type(\(column), \(path)) = 'VARCHAR')"
        case .clickhouse: return "(JSONType(\(column), \(literal(key))) = 'String')"
        }
    }

    /// Whether property `key` is present and not null.
    public func jsonPresent(_ column: String, _ key: String) -> String {
        switch self {
        case .postgres: return "(COALESCE(json_typeof(\(column) -> \(literal(key))), 'null') <> 'null')"
        case .duckdb:
            let path = literal("$.\"" + Self.escape(key, ["\"": "\\\""]) + "\"")
            return "(COALESCE(json_type(\(column), \(path)), 'NULL') <> 'NULL')"
        case .clickhouse: return "(JSONType(\(column), \(literal(key))) NOT IN ('Null'))"
        }
    }

    /// Lower-cases ASCII letters and turns spaces into `_`, as `normalize_event_names` does.
    public func normalizedName(_ column: String) -> String {
        "translate(\(column), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ ', 'abcdefghijklmnopqrstuvwxyz_')"
    }

    /// The sum of doubles added one after another in the order of `keys` (ascending), so that the
    /// result has the bits of a loop over the rows in that order.
    public func orderedSum(_ value: String, by keys: [String]) -> String {
        switch self {
        case .postgres, .duckdb: return "SUM(\(value) ORDER BY \(keys.joined(separator: ", ")))"
        case .clickhouse:
            let tuple = "(" + keys.joined(separator: ", ") + ", \(value))"
            return "arrayFold((acc, x) -> acc + x.\(keys.count + 1), arraySort(groupArray(\(tuple))), toFloat64(0))"
        }
    }

    /// `ORDER BY` of text by its bytes, whatever the database's collation.
    public func bytewise(_ column: String) -> String {
        switch self {
        case .postgres: return "\(column) COLLATE \"C\""
        case .duckdb, .clickhouse: return column
        }
    }

    /// `text` with each character found in `replacements` replaced.
    static func escape(_ text: String, _ replacements: [Character: String]) -> String {
        var out = ""
        for c in text {
            if let r = replacements[c] { out += r } else { out.append(c) }
        }
        return out
    }
}
