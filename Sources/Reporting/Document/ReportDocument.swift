/// A report as data: sections of paragraphs, tables and figures. `report.html` and `report.md`
/// are two renderings of one document, so they always hold the same numbers.
public struct ReportDocument: Sendable, Equatable {
    public var title: String
    public var subtitle: String?
    public var sections: [ReportSection]

    public init(title: String, subtitle: String? = nil, sections: [ReportSection] = []) {
        self.title = title
        self.subtitle = subtitle
        self.sections = sections
    }
}

public struct ReportSection: Sendable, Equatable {
    /// Anchor in the HTML page: `[a-z0-9-]+`.
    public var id: String
    public var title: String
    public var blocks: [ReportBlock]

    public init(id: String, title: String, blocks: [ReportBlock] = []) {
        self.id = id
        self.title = title
        self.blocks = blocks
    }
}

public enum ReportBlock: Sendable, Equatable {
    case paragraph(String)
    /// A line in bold that warns the reader (a sample-ratio mismatch, a skipped prediction).
    case warning(String)
    case table(ReportTable)
    case figure(ReportFigure)
    /// Preformatted text, such as the scenario as run.
    case code(String)
}

public struct ReportTable: Sendable, Equatable {
    public var caption: String?
    public var header: [String]
    public var rows: [[String]]
    /// Columns holding numbers are right-aligned.
    public var numeric: [Bool]

    /// - Parameter numericFrom: columns from this index on are numbers (default: all but the first).
    public init(caption: String? = nil, header: [String], rows: [[String]], numericFrom: Int = 1) {
        self.caption = caption
        self.header = header
        self.rows = rows
        numeric = header.indices.map { $0 >= numericFrom }
    }
}

public struct ReportFigure: Sendable, Equatable {
    /// File stem when the figure is written beside `report.md`: `[a-z0-9-]+`.
    public var name: String
    public var caption: String
    /// A complete `<svg>` element whose text is already escaped.
    public var svg: String

    public init(name: String, caption: String, svg: String) {
        self.name = name
        self.caption = caption
        self.svg = svg
    }
}
