import Foundation
import Testing
import UsageModel

@testable import EventImport

/// A directory of hand-written logs that disappears with the test.
final class TempDir {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "segmentlab-import-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        write(name, bytes: Array(text.utf8))
    }

    @discardableResult
    func write(_ name: String, bytes: [UInt8]) -> String {
        let file = path + "/" + name
        precondition(FileManager.default.createFile(atPath: file, contents: Data(bytes)), "cannot write \(file)")
        return file
    }
}

/// What one replayed user-day held, copied out of the shared columns.
struct Cell: Equatable, CustomStringConvertible {
    var sessions: UInt16 = 0
    var keyActions: UInt16 = 0
    var features: UInt32 = 0
    var milestones: UInt16 = 0
    var nps: Int8 = -1
    var commerce: CommerceEvent = .none
    var plan: UInt8 = 0
    var signedUp = false

    var description: String {
        "s\(sessions) k\(keyActions) f\(String(features, radix: 2)) m\(String(milestones, radix: 2)) nps\(nps) "
            + "\(commerce) p\(plan) \(signedUp ? "in" : "out")"
    }
}

/// Records every observer call and every user-day, in the order the replay makes them.
final class Recorder: ImportObserver {
    var calls: [String] = []
    var directory: PopulationDirectory?
    var population: ImportedPopulation?
    /// `days[day][user]`.
    var days: [[Cell]] = []

    func importWillStart(_ population: ImportedPopulation) throws {
        calls.append("import")
        self.population = population
    }

    func daysWillStart(_ population: PopulationDirectory) throws {
        calls.append("start")
        directory = population
    }

    func dayDidEnd(_ usage: UsageDay) throws {
        calls.append("day \(usage.day)")
        var row: [Cell] = []
        for u in 0..<usage.sessions.count {
            row.append(
                Cell(
                    sessions: usage.sessions[u], keyActions: usage.keyActions[u], features: usage.features[u],
                    milestones: usage.milestones[u], nps: usage.npsScore[u],
                    commerce: CommerceEvent(rawValue: usage.commerce[u])!, plan: usage.plan[u],
                    signedUp: usage.signedUp[u]))
        }
        days.append(row)
    }

    func daysDidEnd() throws {
        calls.append("end")
    }

    /// The cell of a user id on a date.
    func cell(_ user: String, _ date: String) -> Cell {
        let u = population!.userIndex(of: user)!
        let d = CivilDate(iso: date)!.daysSinceEpoch - directory!.startDate.daysSinceEpoch
        return days[d][u]
    }

    /// Every non-empty cell, keyed by `user date`, for comparing two imports whatever their user order.
    var nonEmpty: [String: Cell] {
        var out: [String: Cell] = [:]
        for (d, row) in days.enumerated() {
            let date = directory!.startDate.adding(days: d)
            for (u, cell) in row.enumerated() {
                var quiet = Cell()
                quiet.plan = cell.plan
                quiet.signedUp = cell.signedUp
                if cell != quiet || d == 0 { out["\(population!.userIDs[u]) \(date)"] = cell }
            }
        }
        return out
    }
}

enum Fixture {
    static let features = ["dashboards", "reports", "automations", "integrations", "exports"]
    static let milestones = ["setup_complete", "first_item_created", "teammate_invited"]
    static let plans = ["free", "team", "business"]
    static let taxonomy = Taxonomy.simulator(
        features: features, milestones: milestones, plans: plans, planPriceCents: [0, 1500, 3900])

    static let header = "user_id,account_id,event,timestamp,received_at,properties\n"

    /// A CSV line in the simulator's format.
    static func line(_ user: String, _ account: String, _ event: String, _ time: String, _ properties: String = "{}")
        -> String
    {
        let props = properties == "{}" ? "{}" : "\"" + properties.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        return "\(user),\(account),\(event),\(time),\(time),\(props)\n"
    }

    /// Imports the files and replays them into a recorder.
    static func run(
        _ files: [String], taxonomy: Taxonomy = Fixture.taxonomy, aliases: String? = nil, accounts: String? = nil,
        start: String? = nil, asOf: String? = nil, strict: Bool = false, splitAt: Int? = nil
    ) throws -> (log: ImportedEventLog, recorder: Recorder) {
        var importer = EventLogImporter(
            files: files, taxonomy: taxonomy, aliasesPath: aliases, accountsPath: accounts,
            startDate: start.flatMap { CivilDate(iso: $0) }, asOf: asOf.flatMap { CivilDate(iso: $0) }, strict: strict)
        if let splitAt {
            importer.threads = 2
            importer.splitOffset = splitAt
        }
        let log = try importer.load()
        let recorder = Recorder()
        try log.replay(observers: [recorder])
        return (log, recorder)
    }

    static func run(csv: String, in dir: TempDir, name: String = "events.csv", taxonomy: Taxonomy = Fixture.taxonomy)
        throws -> (log: ImportedEventLog, recorder: Recorder)
    {
        try run([dir.write(name, csv)], taxonomy: taxonomy)
    }
}

/// The error a throwing call ends with, or nil.
func thrownError(_ body: () throws -> Void) -> (any Error)? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}
