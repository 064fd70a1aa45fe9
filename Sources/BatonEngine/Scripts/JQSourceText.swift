/// Byte classes of jq program text, shared by the jackson-jq rewrites (`JacksonJQSyntax`,
/// `JacksonJQAssignments`).
enum JQSourceText {
    static func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
    static func isWordStart(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "_")
    }
    static func isWordByte(_ c: UInt8) -> Bool { isWordStart(c) || (c >= 0x30 && c <= 0x39) }
}
