import Reports
import EventImport
import Foundation
import Reporting
import Segmentation
import UsageModel

/// Streams `memberships.csv`: one row per signed-up user and evaluation.
///
/// Columns `user_id,account_id,date,segment,tags`, tags joined by `;`. Rows are formatted into a
/// reusable buffer and written in large chunks, so millions of users cost no per-row allocation.
///
/// For a database's `COPY` (`plain`), fields are quoted as RFC 4180 says and nothing else, and there is
/// no header.
final class MembershipsWriter {
    private let handle: FileHandle
    private let path: String
    private let userIDs: [[UInt8]]
    private let accountIDs: [[UInt8]]
    private let account: Column<Int32>
    private let segments: [[UInt8]]
    private let tags: [[UInt8]]
    private var buffer: [UInt8] = []

    convenience init(
        path: String, population: ImportedPopulation, account: Column<Int32>, segments: [String], tags: [String]
    ) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw RunError.failed("cannot create \(path)") }
        self.init(
            handle: handle, name: path, population: population, account: account, segments: segments, tags: tags,
            plain: false)
    }

    init(
        handle: FileHandle, name: String, population: ImportedPopulation, account: Column<Int32>,
        segments: [String], tags: [String], plain: Bool
    ) {
        self.handle = handle
        path = name
        let field = plain ? { Array(CSVText.field($0).utf8) } : CSVText.spreadsheetField
        userIDs = population.userIDs.map(field)
        accountIDs = population.accountIDs.map(field)
        self.account = account
        self.segments = (segments + ["unmatched"]).map(field)
        // Tag names are `a-z`, `0-9` and `_`: no field quotes them.
        self.tags = tags.map { Array($0.utf8) }
        buffer.reserveCapacity(1 << 20)
        if !plain { buffer += Array("user_id,account_id,date,segment,tags\n".utf8) }
    }

    func write(date: CivilDate, segments membership: Column<UInt8>, tags bits: Column<UInt32>) throws {
        let day = Array(date.description.utf8)
        for u in 0..<membership.count {
            let code = membership[u]
            guard code != SegmentationEngine.notSignedUp else { continue }
            buffer += userIDs[u]
            buffer.append(0x2C)
            buffer += accountIDs[Int(account[u])]
            buffer.append(0x2C)
            buffer += day
            buffer.append(0x2C)
            buffer += segments[Int(code)]
            buffer.append(0x2C)
            let t = bits[u]
            var first = true
            for (i, name) in tags.enumerated() where t & (1 << UInt32(i)) != 0 {
                if !first { buffer.append(0x3B) }
                buffer += name
                first = false
            }
            buffer.append(0x0A)
            if buffer.count >= 1 << 20 { try flush() }
        }
    }

    func close() throws {
        try flush()
        try handle.close()
    }

    /// Writes what is buffered; the handle stays open.
    func flush() throws {
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw RunError.failed("cannot write \(path): \(error.localizedDescription)")
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

extension ImportResults {
    /// What the importer read and skipped, and the segments computed from it.
    init(files: [String], taxonomy: String, summary s: ImportSummary, segmentation: SegmentationResults) {
        var skipped: [String: Int] = [:]
        for reason in ImportSummary.SkipReason.allCases { skipped[reason.label] = s.skipped(reason) }
        var unknown: [String: Int] = [:]
        for entry in s.unknownEvents { unknown[entry.name] = entry.count }
        self.init(
            schemaVersion: ResultsFile.schemaVersion, source: Source(files: files, taxonomy: taxonomy),
            import: Summary(
                linesRead: s.linesRead, bytesRead: s.bytesRead, records: s.records, eventsUsed: s.eventsUsed,
                skipped: skipped, malformedKinds: s.malformedKinds,
                firstMalformedLines: s.firstMalformed.map(\.description),
                reattributedThroughAliases: s.reattributed, unknownEvents: unknown, users: s.users,
                accounts: s.accounts, startDate: s.startDate?.description, endDate: s.endDate?.description,
                days: s.days),
            segmentation: segmentation)
    }
}
