import Dispatch
import Foundation
import UsageModel

/// What reaches the terminal. Names from logs and scenarios end up in messages; a control
/// character among them could move the cursor, recolour or retitle the terminal, so every one
/// but the line breaks and tabs of the message itself is shown escaped (`\x1b`).
enum Terminal {
    static func escaped(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let v = scalar.value
            let control =
                (v < 0x20 && scalar != "\n" && scalar != "\t") || (0x7F...0x9F).contains(v)
                || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
            if control {
                let hex = String(v, radix: 16)
                let shown = v <= 0xFF ? "\\x" + String(repeating: "0", count: 2 - hex.count) + hex : "\\u{\(hex)}"
                out.append(contentsOf: shown.unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((escaped(text) + "\n").utf8))
    }

    /// Signal sources must outlive `installInterruptHandlers`.
    nonisolated(unsafe) private static var signalSources: [any DispatchSourceSignal] = []

    /// SIGINT and SIGTERM remove what a run has staged and exit with 128 + the signal (130, 143),
    /// leaving the previous output, or none, in place.
    static func installInterruptHandlers() {
        for (number, name) in [(SIGINT, "interrupted"), (SIGTERM, "terminated")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                InterruptCleanup.runAllAndHold()
                FileHandle.standardError.write(Data("\nsegmentlab: \(name); nothing was written\n".utf8))
                _exit(128 + number)
            }
            source.resume()
            signalSources.append(source)
        }
    }
}
