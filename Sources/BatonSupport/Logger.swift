import Foundation
import Synchronization

/// Log levels in increasing severity.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case debug, info, warning, error

    public var name: String {
        switch self {
        case .debug: "debug"
        case .info: "info"
        case .warning: "warning"
        case .error: "error"
        }
    }

    public init?(name: String) {
        guard let level = Self.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = level
    }

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
}

/// One stderr line per event: `info baton.engine: task completed taskId=9c1… workflowId=4e7…`.
/// IDs go in metadata; payloads never do (they may hold secrets).
public struct Logger: Sendable {
    private static let minimum = Atomic<Int>(LogLevel.info.rawValue)
    private static let output = Mutex<Void>(())

    /// Sets the process-wide threshold (from configuration, once at start).
    public static func setLevel(_ level: LogLevel) { minimum.store(level.rawValue, ordering: .relaxed) }
    public static var level: LogLevel { LogLevel(rawValue: minimum.load(ordering: .relaxed)) ?? .info }

    public let label: String
    public init(label: String) { self.label = label }

    public func debug(_ message: @autoclosure () -> String, _ metadata: @autoclosure () -> [String: String] = [:]) {
        log(.debug, message(), metadata())
    }
    public func info(_ message: @autoclosure () -> String, _ metadata: @autoclosure () -> [String: String] = [:]) {
        log(.info, message(), metadata())
    }
    public func warning(_ message: @autoclosure () -> String, _ metadata: @autoclosure () -> [String: String] = [:]) {
        log(.warning, message(), metadata())
    }
    public func error(_ message: @autoclosure () -> String, _ metadata: @autoclosure () -> [String: String] = [:]) {
        log(.error, message(), metadata())
    }

    public func isEnabled(_ level: LogLevel) -> Bool { level.rawValue >= Self.minimum.load(ordering: .relaxed) }

    private func log(_ level: LogLevel, _ message: @autoclosure () -> String, _ metadata: @autoclosure () -> [String: String]) {
        guard isEnabled(level) else { return }
        var line = "\(level.name) \(label): \(message())"
        for (k, v) in metadata().sorted(by: { $0.key < $1.key }) { line += " \(k)=\(v)" }
        line += "\n"
        Self.output.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }
}
