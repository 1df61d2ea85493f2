import Foundation
public import UsageModel
public import Yams

/// One thing wrong with an input file, at its place: `12:7: personas[1].sessions.mean: must be > 0`.
/// Scenarios, segments files and taxonomies all report this way.
public struct InputProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where in the document, as `key.sub[index].name` with map keys as written; empty for the file as a whole.
    public let path: String
    public let message: String
    /// 1-based line and column of the node at fault, when the problem has a place in the text.
    public let line: Int?
    public let column: Int?

    public init(path: String, message: String, line: Int? = nil, column: Int? = nil) {
        self.path = path
        self.message = message
        self.line = line
        self.column = column
    }

    /// `12:7: personas[1].sessions.mean: must be > 0`, leaving out what is unknown.
    public var description: String {
        var text = ""
        if let line {
            text += column.map { "\(line):\($0): " } ?? "\(line): "
        }
        if !path.isEmpty {
            text += path + ": "
        }
        return text + message
    }

    /// A YAML error as one problem at the place the parser stopped; nothing after it can be trusted.
    public init(yamlError error: any Error) {
        if let problem = error as? InputProblem {
            self = problem
            return
        }
        guard let error = error as? YamlError else {
            self.init(path: "", message: "invalid YAML: \(error)")
            return
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var message = "invalid YAML: \(problem)"
            if let context {
                message += " (\(context.text) at \(context.mark.line):\(context.mark.column))"
            }
            self.init(path: "", message: message, line: mark.line, column: mark.column)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            self.init(
                path: "", message: "invalid YAML: duplicate key \(keys) in a mapping", line: context.mark.line,
                column: context.mark.column)
        case .reader(let problem, let offset, _, let yaml):
            let (line, column) = offset.map { Self.position(ofCharacter: $0, in: yaml) } ?? (nil, nil)
            self.init(path: "", message: "invalid text: \(problem)", line: line, column: column)
        default:
            self.init(path: "", message: "invalid YAML: \(error)")
        }
    }

    /// 1-based line and column of a character offset.
    private static func position(ofCharacter offset: Int, in text: String) -> (Int?, Int?) {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character == "\n" || character == "\r\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}

/// An input file that cannot be used, with every problem found in one pass, sorted by position.
public struct InputError: ExitStatusError, Sendable, Equatable {
    public var exitStatus: Int32 { 2 }
    public var isPlaced: Bool { true }

    /// The file name used in messages (as given to the loader).
    public let file: String
    /// Sorted by position in the file; problems without a position come first.
    public let problems: [InputProblem]
    /// Problems found but not kept, past the reader's limit.
    public let unkept: Int

    public init(file: String, problems: [InputProblem], unkept: Int = 0) {
        self.file = file
        self.problems = Self.sorted(problems)
        self.unkept = unkept
    }

    /// One problem that concerns the whole file (it cannot be read, say).
    public init(file: String, message: String) {
        self.init(file: file, problems: [InputProblem(path: "", message: message)])
    }

    /// One line per problem in the compiler's `file:line:col: path: message` form, so editors can jump to it;
    /// the first ``YAMLInput/listedProblems`` only, then how many more there are.
    public var description: String {
        var lines = problems.prefix(YAMLInput.listedProblems).map {
            $0.line == nil ? "\(file): \($0)" : "\(file):\($0)"
        }
        let more = problems.count - lines.count + unkept
        if more > 0 { lines.append("\(file): … and \(more) more problem\(more == 1 ? "" : "s")") }
        return lines.joined(separator: "\n")
    }

    /// Orders by line and column; the original order breaks ties so related problems stay together.
    static func sorted(_ problems: [InputProblem]) -> [InputProblem] {
        problems.enumerated()
            .sorted { a, b in
                let ka = (a.element.line ?? 0, a.element.column ?? 0, a.offset)
                let kb = (b.element.line ?? 0, b.element.column ?? 0, b.offset)
                return ka < kb
            }
            .map(\.element)
    }
}

extension YAMLInput {
    /// Reads a YAML file the way every input file is read: the file's bytes through ``text(of:)``.
    ///
    /// - Throws: ``InputError`` naming `path` with one problem: missing, a folder, unreadable, too big or
    ///   not UTF-8 (with the place of the first bad byte).
    public static func read(_ path: String, noun: String) throws(InputError) -> String {
        var isDirectory: ObjCBool = false
        let fm = FileManager.default
        guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError(file: path, message: "cannot read: no such file")
        }
        guard !isDirectory.boolValue else {
            throw InputError(file: path, message: "cannot read: is a directory, not a \(noun)")
        }
        guard let data = fm.contents(atPath: path) else {
            throw InputError(file: path, message: "cannot read: permission denied or unreadable")
        }
        do {
            return try text(of: data)
        } catch {
            throw InputError(file: path, problems: [error])
        }
    }

    /// The root node of `yaml` as ``compose(_:)`` checks and composes it, or `nil` for a text without content.
    ///
    /// - Throws: ``InputError`` naming `file` with the one problem that stopped the reading (a syntax error,
    ///   a tag, too many nodes), at its line and column.
    public static func root(of yaml: String, file: String) throws(InputError) -> Node? {
        do {
            return try compose(yaml)
        } catch {
            throw InputError(file: file, problems: [InputProblem(yamlError: error)])
        }
    }
}
