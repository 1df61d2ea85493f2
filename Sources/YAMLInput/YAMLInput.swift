internal import CYaml
import UsageModel
public import Foundation
public import Yams

/// The one way SegmentLab reads a YAML file it did not write (scenarios, segments files, taxonomies).
///
/// Before the text reaches the composer it is checked in one streamed pass over libyaml's events:
/// its size, its encoding (the place of the first byte that is not UTF-8), explicit tags (none is
/// used by any of these files, so `days: !days 365` is an error, not a silently ignored tag), and
/// the number of nodes the document holds once every alias is expanded. An alias bomb (a
/// "billion laughs", or a chain of merge keys) is small as text but exponential once expanded, and
/// everything after the composer — duplicate-key checks, merge keys, validation — walks the
/// expanded tree; it is refused at the alias that crosses the limit.
public enum YAMLInput {
    /// Larger files are refused unread: the biggest scenario in the repository is about 10 KB.
    public static let maxBytes = 8 << 20
    /// Scalars and collections once aliases are expanded.
    public static let maxNodes = 1_000_000
    /// Problems printed for a rejected file; the rest are counted.
    public static let listedProblems = 50

    /// The text of a file's bytes, refused past ``maxBytes`` or at the first byte that is not UTF-8.
    public static func text(of data: Data) throws(InputProblem) -> String {
        guard data.count <= maxBytes else {
            throw InputProblem(path: "", message: "the file has \(data.count) bytes; at most \(maxBytes) are read")
        }
        if let (line, column) = firstInvalidUTF8(data) {
            throw InputProblem(path: "", message: "not UTF-8 text: invalid byte sequence", line: line, column: column)
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Checks `yaml` as the type says, then composes it with Yams.
    ///
    /// - Throws: ``InputProblem`` for a bad tag, too many nodes or an over-long text; Yams'
    ///   `YamlError` for invalid YAML, as `Yams.compose` does.
    public static func compose(_ yaml: String) throws -> Node? {
        guard yaml.utf8.count <= maxBytes else {
            throw InputProblem(path: "", message: "the text has \(yaml.utf8.count) bytes; at most \(maxBytes) are read")
        }
        // A syntax error stops the scan quietly: the composer reports it with its own words.
        try scan(yaml)
        return try Yams.compose(yaml: yaml)
    }

    /// Counts the expanded nodes and looks for tags over the event stream.
    static func scan(_ yaml: String) throws(InputProblem) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(yaml.utf8)
        // A node's expanded size is the count of nodes expanded between its start and its end.
        var sizes: [String: Int] = [:]
        var open: [(anchor: String?, startedAt: Int)] = []
        var expanded = 0
        try bytes.withUnsafeMutableBufferPointer { buffer throws(InputProblem) in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else { return }
                defer { yaml_event_delete(&event) }
                let line = Int(event.start_mark.line) + 1
                let column = Int(event.start_mark.column) + 1
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return
                case YAML_SCALAR_EVENT:
                    try refuseTag(event.data.scalar.tag, line, column)
                    if let anchor = string(event.data.scalar.anchor) { sizes[anchor] = 1 }
                    expanded += 1
                case YAML_SEQUENCE_START_EVENT:
                    try refuseTag(event.data.sequence_start.tag, line, column)
                    open.append((string(event.data.sequence_start.anchor), expanded))
                    expanded += 1
                case YAML_MAPPING_START_EVENT:
                    try refuseTag(event.data.mapping_start.tag, line, column)
                    open.append((string(event.data.mapping_start.anchor), expanded))
                    expanded += 1
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    if let closed = open.popLast(), let anchor = closed.anchor {
                        sizes[anchor] = expanded - closed.startedAt
                    }
                case YAML_ALIAS_EVENT:
                    // An undefined alias counts one; the composer reports it.
                    expanded += string(event.data.alias.anchor).flatMap { sizes[$0] } ?? 1
                    if expanded > maxNodes {
                        throw InputProblem(
                            path: "",
                            message:
                                "this alias expands the document past \(maxNodes) nodes (aliases nested too deeply)",
                            line: line, column: column)
                    }
                default:
                    break
                }
                if expanded > maxNodes {
                    throw InputProblem(
                        path: "", message: "the document has more than \(maxNodes) nodes", line: line, column: column)
                }
            }
        }
    }

    private static func refuseTag(_ tag: UnsafeMutablePointer<yaml_char_t>?, _ line: Int, _ column: Int)
        throws(InputProblem)
    {
        guard let tag = string(tag) else { return }
        throw InputProblem(
            path: "", message: "YAML tags are not used here; remove the tag '\(tag)'", line: line, column: column)
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }

    /// Line and column (1-based, the column in characters) of the first byte that does not belong
    /// to a well-formed UTF-8 sequence, or `nil` for valid text.
    static func firstInvalidUTF8(_ data: Data) -> (Int, Int)? {
        data.withUnsafeBytes { raw -> (Int, Int)? in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard let base = bytes.baseAddress, let bad = UTF8Validation.firstInvalidByte(base, bytes.count) else {
                return nil
            }
            // Everything before `bad` is valid: count its lines and the characters of the last one.
            let before = String(decoding: UnsafeBufferPointer(start: base, count: bad), as: UTF8.self)
            let lines = before.split(separator: "\n", omittingEmptySubsequences: false)
            return (lines.count, lines.last!.unicodeScalars.count + 1)
        }
    }
}
