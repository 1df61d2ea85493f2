import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What must be undone if the process is stopped by SIGINT or SIGTERM: the hidden staging files and
/// folders of outputs not yet renamed into place (invariant 5).
///
/// Writers register a clean-up action while their output is staged and unregister it once it is
/// committed or discarded; the command line's signal handler runs every action left, then exits.
/// A commit's renames run inside ``critical(_:)``, so the handler sees the output before or after
/// them, never halfway.
public enum InterruptCleanup {
    public struct Token: Hashable, Sendable {
        let id: Int
    }

    /// Recursive, so an action may unregister itself and a commit may unregister inside `critical`.
    private static let lock = NSRecursiveLock()
    nonisolated(unsafe) private static var actions: [Int: @Sendable () -> Void] = [:]
    nonisolated(unsafe) private static var next = 0

    /// Keeps `action` until ``unregister(_:)``; it runs only if the process is interrupted.
    public static func register(_ action: @escaping @Sendable () -> Void) -> Token {
        lock.lock()
        defer { lock.unlock() }
        next += 1
        actions[next] = action
        return Token(id: next)
    }

    public static func unregister(_ token: Token) {
        lock.lock()
        defer { lock.unlock() }
        actions[token.id] = nil
    }

    /// Runs `body` with interruption held off until it returns.
    public static func critical<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Runs every registered action, newest first, and keeps the lock: nothing commits afterwards.
    /// For the signal handler only, which exits right after.
    public static func runAllAndHold() {
        lock.lock()
        for id in actions.keys.sorted(by: >) {
            actions[id]?()
        }
        actions.removeAll()
    }

    /// Whether a process with this id exists (ours included), for telling a killed run's leftovers
    /// from a run still going on.
    public static func isRunning(_ pid: Int32) -> Bool {
        pid == getpid() || kill(pid, 0) == 0 || errno == EPERM
    }
}
