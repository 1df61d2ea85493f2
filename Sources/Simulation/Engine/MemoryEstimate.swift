/// The memory a run will need, known before it starts (invariant 6).
public enum MemoryEstimate {
    /// Peak bytes of a run: per-user columns, the truth record of the days kept, population
    /// set-up and, when an event log is written, the buffer of one day's events.
    public static func bytes(for spec: SimulationSpec, writesEventLog: Bool, truthDays: TruthDays = .all) -> Int {
        let users = spec.users
        // Columns, plus the account list and initial states held while the population is drawn.
        let limits = UserColumns.bytesPerUser(limits: ModelTables(spec.model))
        var total = users * (UserColumns.bytesPerUser + limits + 24)
        total += TruthRecord.bytes(users: users, days: spec.days, keeping: truthDays)
        if let interventions = spec.interventions {
            // Treatment columns, outcomes per user and comparison, and the counterfactual run's
            // own columns and its truth's scratch row.
            total += users * (TreatmentState.bytesPerUser(interventions) + OutcomeRecorder.bytesPerUser(interventions))
            total += users * (UserColumns.bytesPerUser + limits + 24)
            total += TruthRecord.bytes(users: users, days: spec.days, keeping: .only([]))
        }
        if writesEventLog {
            // A day's events are sorted before writing: about 32 bytes each, and an active
            // user-day rarely yields more than 16 of them.
            total += users * 16 * 32
        }
        // Tables, per-day metrics and the report.
        return total + runtimeBytes
    }

    /// What any SegmentLab process holds before its data: the Swift and Foundation runtimes,
    /// libraries, buffers and tables (a process that reads nothing peaks near 30 MB).
    public static let runtimeBytes = 64 << 20
}
