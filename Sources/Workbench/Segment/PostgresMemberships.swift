import Foundation
import UsageModel

/// `segment --to postgres://…`: the memberships streamed into a PostgreSQL table through `psql`
/// (`COPY … FROM STDIN`, one transaction), where a CRM sync can read them (docs/sql.md).
///
/// The table is created when missing, with the columns of `memberships.csv`. Rows are only ever
/// added: when the table already holds memberships of any day the run evaluates, nothing is
/// written and the run stops with exit status 2, so a second load never mixes two runs.
final class PostgresMemberships {
    let url: String
    let table: String
    private let process: Process
    private let input: Pipe
    private let errors: Pipe

    /// The DDL of the memberships table.
    static func createTable(_ table: String) -> String {
        "CREATE TABLE IF NOT EXISTS \(table) (user_id text NOT NULL, account_id text NOT NULL, "
            + "date date NOT NULL, segment text NOT NULL, tags text NOT NULL, PRIMARY KEY (date, user_id))"
    }

    /// Checks that `psql` can reach the database and that the table holds no memberships of the days
    /// `first ... last`, then starts the load.
    init(url: String, table name: String, first: CivilDate, last: CivilDate) throws {
        self.url = url
        table = SQLDialect.postgres.table(name)
        let check = """
            \\set ON_ERROR_STOP 1
            \(Self.createTable(table));
            SELECT count(*) FROM \(table) WHERE date BETWEEN DATE '\(first)' AND DATE '\(last)';
            """
        let (status, output, message) = try Self.psql(url, script: check)
        guard status == 0 else {
            throw RunError.badInput("--to: psql could not prepare \(table): \(message)")
        }
        let existing = Int(output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        guard existing == 0 else {
            throw RunError.badInput(
                "--to: \(table) already holds \(existing) memberships dated \(first) to \(last); "
                    + "load into another table, or remove those rows first")
        }
        (process, input, errors) = try Self.start(url)
        let head = """
            \\set ON_ERROR_STOP 1
            BEGIN;
            COPY \(table) (user_id, account_id, date, segment, tags) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (account_id, tags));

            """
        try write(Data(head.utf8))
    }

    /// Where the rows go, as CSV without a header.
    var handle: FileHandle { input.fileHandleForWriting }

    /// Ends the `COPY`, commits, and waits for `psql`.
    func finish() throws {
        try write(Data("\\.\nCOMMIT;\n".utf8))
        try handle.close()
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw RunError.failed(
                "--to: loading \(table) failed: \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    /// Stops `psql` without committing.
    func abandon() {
        try? handle.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    private func write(_ data: Data) throws {
        do {
            try handle.write(contentsOf: data)
        } catch {
            process.waitUntilExit()
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw RunError.failed("--to: psql stopped: \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    private static func start(_ url: String) throws -> (Process, Pipe, Pipe) {
        // A psql that stops early must not kill this process with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        let process = Process()
        process.executableURL = try psqlPath()
        process.arguments = ["--no-psqlrc", "--quiet", "--dbname", url]
        let input = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw RunError.badInput("--to: cannot start psql: \(error.localizedDescription)")
        }
        return (process, input, errors)
    }

    /// Runs a short script and returns the exit status, the output and the error text.
    private static func psql(_ url: String, script: String) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = try psqlPath()
        process.arguments = ["--no-psqlrc", "--quiet", "--tuples-only", "--no-align", "--dbname", url]
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw RunError.badInput("--to: cannot start psql: \(error.localizedDescription)")
        }
        try? input.fileHandleForWriting.write(contentsOf: Data(script.utf8))
        try? input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: out, as: UTF8.self),
            String(decoding: err, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        )
    }

    /// `psql` on the `PATH` (Debian's `postgresql-client`).
    private static func psqlPath() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/psql"
            if FileManager.default.isExecutableFile(atPath: candidate) { return URL(fileURLWithPath: candidate) }
        }
        throw RunError.badInput(
            "--to needs psql, PostgreSQL's client (Debian: apt-get install postgresql-client)")
    }
}
