public import Foundation
public import Reporting

/// `results.json` on disk: one JSON encoding for every command (keys in snake case and sorted,
/// so the same results are the same bytes), and reading it back as the results of the command
/// that wrote it.
public enum ResultsFile {
    /// Raised when the meaning of a field changes or a field the report needs is added; version 2
    /// added what the run report shows beside the numbers (the scenario's description, source and
    /// currency, and the data-quality faults), version 3 the churn predictors' DeLong intervals and
    /// comparisons, who is scored and the features left out of the model.
    public static let schemaVersion = 6

    /// The results of one of the commands that write `results.json`.
    public enum Contents: Sendable {
        case run(RunResults)
        case segment(ImportResults)
        case evaluate(EvaluateResults)
        /// `twin.json` of `segmentlab twin`.
        case twin(TwinResults)
    }

    public static func encode(_ results: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        var data = try encoder.encode(results)
        data.append(0x0A)
        return data
    }

    /// The results in `data`, of whichever command wrote them.
    ///
    /// - Throws: ``ResultsFileError`` naming what is wrong: not JSON, another schema version, or
    ///   a field missing or of the wrong type (with its path).
    public static func decode(_ data: Data) throws(ResultsFileError) -> Contents {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let header: Header
        do {
            header = try decoder.decode(Header.self, from: data)
        } catch {
            throw .unreadable(Self.describe(error))
        }
        guard header.schemaVersion == schemaVersion else {
            throw .otherVersion(header.schemaVersion)
        }
        do {
            if header.twinLog != nil { return .twin(try decoder.decode(TwinResults.self, from: data)) }
            if header.cutoff != nil { return .evaluate(try decoder.decode(EvaluateResults.self, from: data)) }
            if header.scenario != nil { return .run(try decoder.decode(RunResults.self, from: data)) }
            return .segment(try decoder.decode(ImportResults.self, from: data))
        } catch {
            throw .unreadable(Self.describe(error))
        }
    }

    /// The fields that tell the commands apart.
    private struct Header: Decodable {
        struct Present: Decodable {}
        let schemaVersion: Int
        let cutoff: String?
        let scenario: Present?
        let twinLog: String?
    }

    private static func describe(_ error: any Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
            return keys.isEmpty ? "the top level" : String(keys.drop { $0 == "." })
        }
        switch error as? DecodingError {
        case .keyNotFound(let key, let context):
            return "\(path(context)): missing \(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "not JSON (\(context.underlyingError.map { "\($0)" } ?? context.debugDescription))"
                : "\(path(context)): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }
}

public enum ResultsFileError: Error, Equatable, CustomStringConvertible {
    case unreadable(String)
    case otherVersion(Int)

    public var description: String {
        switch self {
        case .unreadable(let reason): "not a SegmentLab results file: \(reason)"
        case .otherVersion(let v):
            "written with results schema version \(v); this SegmentLab reads version \(ResultsFile.schemaVersion)"
                + " (re-run the command that wrote it)"
        }
    }
}

extension ResultsFile.Contents {
    /// The report of these results.
    public var document: ReportDocument {
        switch self {
        case .run(let r): RunReport.document(r)
        case .segment(let r): ImportReport.document(r)
        case .evaluate(let r): EvaluateReport.document(r)
        case .twin(let r): TwinReport.document(r)
        }
    }

    /// Every file these results make, by path in the output folder: `results.json`, the CSV tables
    /// drawn from it (`segments.csv`, `transitions.csv`) and the report. What a command writes
    /// besides (memberships, predictions) comes from data the results do not hold.
    public func files() throws -> [(path: String, data: Data)] {
        var files: [(path: String, data: Data)]
        switch self {
        case .run(let r):
            files = [
                ("results.json", try ResultsFile.encode(r)),
                ("segments.csv", Data(SegmentSizesCSV.render(r.segmentation).utf8)),
                ("transitions.csv", Data(TransitionsCSV.render(r.analysis.transitions).utf8)),
            ]
        case .segment(let r):
            files = [
                ("results.json", try ResultsFile.encode(r)),
                ("segments.csv", Data(SegmentSizesCSV.render(r.segmentation).utf8)),
            ]
        case .evaluate(let r):
            files = [("results.json", try ResultsFile.encode(r))]
        case .twin(let r):
            files = [("twin.json", try ResultsFile.encode(r))]
        }
        return files + (try ReportFiles.render(document))
    }
}
