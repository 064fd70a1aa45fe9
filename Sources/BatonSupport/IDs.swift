import Foundation

/// Random UUID v4 strings, lower-case like Java's `UUID.toString()`.
public enum IDs {
    public static func uuid() -> String { UUID().uuidString.lowercased() }
}
