import Analysis
import EventImport
import Reports
import UsageModel

/// Whether each user of an exposure table had a session in the 7 days ending `outcomeDays` after their
/// index day: the experiment's retention outcome, read from an imported log as the run records it.
final class ExposureOutcomes: DayObserver {
    let table: ExposureTable
    let outcomeDays: Int
    /// Per row: the user's index in the import (-1 when the log never mentions them), and the last day of
    /// the outcome window in the log's days.
    private var user: [Int32] = []
    private var outcomeDay: [Int] = []
    private var lastDay = 0
    private(set) var retained: [Bool] = []
    /// Rows by user in the import: `rowsOf[first[u]..<first[u + 1]]`.
    private var first: [Int] = []
    private var rowsOf: [Int] = []
    /// The users of the import with a row: the only ones a day is read for.
    private var exposed: [Int] = []

    init(table: ExposureTable, outcomeDays: Int, userIDs: [String]) {
        self.table = table
        self.outcomeDays = outcomeDays
        var index: [String: Int32] = [:]
        index.reserveCapacity(userIDs.count)
        for (u, id) in userIDs.enumerated() { index[id] = Int32(u) }
        user = table.rows.map { index[$0.user] ?? -1 }
        var counts = [Int](repeating: 0, count: userIDs.count + 1)
        for u in user where u >= 0 { counts[Int(u) + 1] += 1 }
        for u in 0..<userIDs.count { counts[u + 1] += counts[u] }
        first = counts
        var next = counts
        rowsOf = [Int](repeating: 0, count: counts[userIDs.count])
        for (r, u) in user.enumerated() where u >= 0 {
            rowsOf[next[Int(u)]] = r
            next[Int(u)] += 1
        }
        exposed = (0..<userIDs.count).filter { counts[$0 + 1] > counts[$0] }
    }

    func daysWillStart(_ population: PopulationDirectory) {
        let start = population.startDate.daysSinceEpoch
        outcomeDay = table.rows.map { $0.indexDate.daysSinceEpoch - start + outcomeDays }
        lastDay = population.days - 1
        retained = Array(repeating: false, count: table.rows.count)
    }

    func dayDidEnd(_ usage: UsageDay) {
        let day = usage.day
        for u in exposed where usage.sessions[u] > 0 {
            for r in rowsOf[first[u]..<first[u + 1]] where day <= outcomeDay[r] && day > outcomeDay[r] - 7 {
                retained[r] = true
            }
        }
    }

    /// Each comparison's arms, counted over the users whose outcome day is in the log, with the lift.
    func results() throws -> LogExperimentResults {
        let comparisons = try table.comparisons.map { name, control in
            var users = [0, 0]
            var kept = [0, 0]
            var unobserved = 0
            var absent = 0
            for (r, row) in table.rows.enumerated() where row.comparison == name {
                guard outcomeDay[r] <= lastDay else {
                    unobserved += 1
                    continue
                }
                let arm = row.treated ? 0 : 1
                users[arm] += 1
                if retained[r] { kept[arm] += 1 }
                if user[r] < 0 { absent += 1 }
            }
            let lift =
                users[0] > 0 && users[1] > 0
                ? try TwoProportions(
                    treatmentSuccesses: kept[0], treatmentTrials: users[0], controlSuccesses: kept[1],
                    controlTrials: users[1]) : nil
            return LogExperimentResults.Comparison(
                name: name, treatment: .init(name: name, users: users[0], retained: kept[0]),
                control: .init(name: control, users: users[1], retained: kept[1]), notYetObserved: unobserved,
                absentFromLog: absent, lift: lift)
        }
        return LogExperimentResults(assignments: table.path, outcomeDays: outcomeDays, comparisons: comparisons)
    }
}
