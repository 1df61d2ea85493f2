import Foundation
import Mustache

/// Renders a ``ReportDocument`` through the Mustache templates in `Templates/`: one self-contained
/// HTML page (inline CSS and SVG, nothing from the network) and one Markdown file.
public enum ReportRenderer {
    public enum RenderError: Error, CustomStringConvertible {
        case missingTemplate(String)

        public var description: String {
            switch self {
            case .missingTemplate(let name): "report template '\(name)' is missing from the resources"
            }
        }
    }

    /// The templates, read once from the module's resources.
    static let library: Result<MustacheLibrary, any Error> = Result {
        var library = MustacheLibrary()
        for name in ["report.html", "report.md"] {
            guard let url = Bundle.module.url(forResource: name, withExtension: "mustache", subdirectory: "Templates")
            else { throw RenderError.missingTemplate(name) }
            try library.register(String(contentsOf: url, encoding: .utf8), named: name)
        }
        return library
    }

    public static func html(_ document: ReportDocument) throws -> String {
        try render(context(document, html: true, figureFile: { _ in "" }), template: "report.html")
    }

    /// - Parameter figureFile: where each figure's SVG is written, relative to the Markdown file.
    public static func markdown(_ document: ReportDocument, figureFile: (ReportFigure) -> String) throws -> String {
        try render(context(document, html: false, figureFile: figureFile), template: "report.md")
    }

    static func render(_ context: [String: Any], template: String) throws -> String {
        guard let text = try library.get().render(context, withTemplate: template) else {
            throw RenderError.missingTemplate(template)
        }
        return text
    }

    /// Dictionaries for the templates. For HTML, paragraphs are escaped here and their `code` and
    /// `*emphasis*` marked up; table cells are escaped by the template. For Markdown, every value
    /// is escaped here so a name cannot break a table or inject markup.
    static func context(_ d: ReportDocument, html: Bool, figureFile: (ReportFigure) -> String) -> [String: Any] {
        func prose(_ s: String) -> String { html ? InlineMarkup.html(s) : MarkdownText.escape(s, keepMarkup: true) }
        func cell(_ s: String) -> String { html ? s : MarkdownText.escape(s, keepMarkup: false) }
        var sections: [[String: Any]] = []
        for section in d.sections {
            var blocks: [[String: Any]] = []
            for block in section.blocks {
                switch block {
                case .paragraph(let text): blocks.append(["paragraph": ["text": prose(text)]])
                case .warning(let text): blocks.append(["warning": ["text": prose(text)]])
                case .code(let text): blocks.append(["code": ["text": text, "fence": MarkdownText.fence(for: text)]])
                case .figure(let f):
                    blocks.append(["figure": ["svg": f.svg, "caption": cell(f.caption), "file": figureFile(f)]])
                case .table(let t):
                    var table: [String: Any] = [
                        "header": t.header.enumerated().map { i, h in
                            ["text": cell(h), "numeric": t.numeric[i], "rule": t.numeric[i] ? "---:" : "---"]
                                as [String: Any]
                        },
                        "rows": t.rows.map { row in
                            [
                                "cells": row.enumerated().map { i, c in
                                    ["text": cell(c), "numeric": i < t.numeric.count && t.numeric[i]] as [String: Any]
                                }
                            ]
                        },
                    ]
                    if let caption = t.caption { table["caption"] = cell(caption) }
                    blocks.append(["table": table])
                }
            }
            sections.append(["id": section.id, "title": cell(section.title), "blocks": blocks])
        }
        var top: [String: Any] = ["title": cell(d.title), "sections": sections]
        if let subtitle = d.subtitle {
            top["subtitle"] = html ? subtitle : MarkdownText.escape(subtitle, keepMarkup: true)
        }
        return top
    }
}

/// Escaped text with `code` and *emphasis* turned into elements.
enum InlineMarkup {
    static func html(_ text: String) -> String {
        var out = ""
        var code = false
        var emphasis = false
        var strong = false
        let chars = Array(XMLText.escape(text))
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "`" {
                out += code ? "</code>" : "<code>"
                code.toggle()
            } else if c == "*", !code, i + 1 < chars.count, chars[i + 1] == "*" {
                out += strong ? "</strong>" : "<strong>"
                strong.toggle()
                i += 1
            } else if c == "*", !code {
                out += emphasis ? "</em>" : "<em>"
                emphasis.toggle()
            } else {
                out.append(c)
            }
            i += 1
        }
        if code { out += "</code>" }
        if emphasis { out += "</em>" }
        if strong { out += "</strong>" }
        return out
    }
}

/// Values made inert in Markdown: no HTML, no link, and no `|` to split a table cell.
enum MarkdownText {
    /// A code fence longer than any run of backticks in `text`, so no line of it can close the block
    /// (CommonMark 0.31, 4.5: a closing fence is at least as long as the opening one).
    static func fence(for text: String) -> String {
        var longest = 0
        var run = 0
        for c in text {
            run = c == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        return String(repeating: "`", count: max(3, longest + 1))
    }

    static func escape(_ text: String, keepMarkup: Bool) -> String {
        guard keepMarkup else { return escapeInline(text, keepMarkup: false) }
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { inertLineStart(escapeInline(String($0), keepMarkup: true)) }
            .joined(separator: "\n")
    }

    /// A line of prose that cannot start a block: no code fence, heading, quote, list, rule or
    /// indented code, whatever the text from a scenario or a log holds (CommonMark 0.31, 4 and 5).
    static func inertLineStart(_ line: String) -> String {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        guard let first = trimmed.first else { return "" }
        let rest = trimmed.dropFirst()
        let startsBlock: Bool
        switch first {
        case "`", "~": startsBlock = trimmed.hasPrefix(String(repeating: first, count: 3))
        case "#", ">", "=": startsBlock = true
        case "-", "+", "*", "_":
            startsBlock =
                rest.first == nil || rest.first == " " || rest.first == "\t"
                || trimmed.allSatisfy { $0 == first || $0 == " " }
        default: startsBlock = false
        }
        if startsBlock { return "\\" + trimmed }
        // An ordered list item: digits, then `.` or `)`.
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        if !digits.isEmpty, let marker = trimmed.dropFirst(digits.count).first, marker == "." || marker == ")" {
            return digits + "\\" + trimmed.dropFirst(digits.count)
        }
        return String(trimmed)
    }

    static func escapeInline(_ text: String, keepMarkup: Bool) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "|": out += "\\|"
            case "\n": out += keepMarkup ? "\n" : " "
            case "[", "]":
                // Reports write no links: a bracket from a name must not open one (`[x](javascript:…)`).
                out += "\\\(c)"
            case "`", "*":
                if keepMarkup { out.append(c) } else { out += "\\\(c)" }
            default: out.append(c)
            }
        }
        return out
    }
}
