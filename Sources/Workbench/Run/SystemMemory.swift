import Foundation

/// Memory this process may use: the smaller of the kernel's available memory and the cgroup limit.
enum SystemMemory {
    static func availableBytes() -> Int? {
        var best: Int?
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
                let fields = line.split(separator: " ")
                if fields.count >= 2, let kib = Int(fields[1]) { best = kib * 1024 }
            }
        }
        if let text = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8),
            let limit = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            best = min(best ?? limit, limit)
        }
        return best
    }
}
