import Foundation

extension OutputDirectory {
    /// Writes each file at its path in the folder, making the subfolders a path names.
    func write(_ files: [(path: String, data: Data)]) throws {
        for folder in Set(files.map { ($0.path as NSString).deletingLastPathComponent }) where !folder.isEmpty {
            do {
                try FileManager.default.createDirectory(
                    at: staging.appendingPathComponent(folder), withIntermediateDirectories: true)
            } catch {
                throw RunError.failed("cannot create \(folder) in \(staging.path): \(error.localizedDescription)")
            }
        }
        for file in files { try write(file.data, to: file.path) }
    }
}
