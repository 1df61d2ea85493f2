import Foundation
import UsageModel

extension OutputDirectory {
    /// Writes each file at its path in the folder, making the subfolders a path names.
    func write(_ files: [(path: String, data: Data)]) throws {
        for folder in Set(files.map { ($0.path as NSString).deletingLastPathComponent }) where !folder.isEmpty {
            do {
                // Under the interrupt lock, as every write here: a signal's clean-up may be removing the
                // staged folder, and making the subfolders would bring it back.
                try InterruptCleanup.critical {
                    try FileManager.default.createDirectory(
                        at: staging.appendingPathComponent(folder), withIntermediateDirectories: true)
                }
            } catch {
                throw RunError.failed("cannot create \(folder) in \(staging.path): \(error.localizedDescription)")
            }
        }
        for file in files { try write(file.data, to: file.path) }
    }
}

extension OutputDirectory {
    /// Stages a new output folder, lets `fill` write into it, and puts it at `destination` in one
    /// step; when `fill` throws, the staged folder is removed and whatever was at `destination`
    /// stays as it was. Returns the folder's path.
    static func produce(at destination: String, _ fill: (OutputDirectory) throws -> Void) throws -> String {
        let output = try OutputDirectory(destination: destination)
        do {
            try fill(output)
            try output.commit()
        } catch {
            output.discard()
            throw error
        }
        return output.destination.path
    }
}
