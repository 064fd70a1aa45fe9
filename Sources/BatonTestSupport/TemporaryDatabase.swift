import Foundation

/// A fresh database path in a private temporary directory, removed with the value.
public final class TemporaryDatabase: @unchecked Sendable {
    /// Immutable after init; the class exists only so `deinit` can clean up.
    public let directory: URL
    public let path: String

    public init() {
        directory = FileManager.default.temporaryDirectory.appending(path: "baton-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appending(path: "test.db").path
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}
