/// Decodes a chunked body (RFC 9112 7.1) as its bytes arrive: the request parser feeds it whatever the
/// socket delivered, the HTTP client a whole response. Chunk extensions and trailer fields are read and
/// dropped: nothing in Conductor's API uses them.
struct ChunkedDecoder {
    private enum Phase {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailers
    }
    private var phase: Phase = .size
    let maxBodyBytes: Int
    /// Longest trailer line accepted (chunk-size lines are held to 1 KiB).
    let maxTrailerBytes: Int

    init(maxBodyBytes: Int, maxTrailerBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
        self.maxTrailerBytes = maxTrailerBytes
    }

    /// Consumes what it can of `bytes[position...]` into `body`; true once the last chunk and the
    /// trailers are read. A thrown error is final.
    mutating func decode(_ bytes: [UInt8], position: inout Int, into body: inout [UInt8]) throws(HTTPParseError) -> Bool {
        while true {
            switch phase {
            case .size:
                guard let line = try Self.line(bytes, &position, limit: 1024) else { return false }
                let sizeText = line.split(separator: UInt8(ascii: ";"), maxSplits: 1, omittingEmptySubsequences: false)[0]
                let hex = String(decoding: sizeText, as: UTF8.self).trimmingASCIIWhitespace()
                guard !hex.isEmpty, hex.count <= 15, let size = Int(hex, radix: 16) else { throw .badRequest("invalid chunk size") }
                if size == 0 {
                    phase = .trailers
                } else {
                    guard body.count + size <= maxBodyBytes else { throw .bodyTooLarge }
                    phase = .data(remaining: size)
                }
            case .data(let remaining):
                let n = min(remaining, bytes.count - position)
                if n > 0 {
                    body.append(contentsOf: bytes[position..<position + n])
                    position += n
                }
                if remaining - n > 0 {
                    phase = .data(remaining: remaining - n)
                    return false
                }
                phase = .dataEnd
            case .dataEnd:
                guard bytes.count - position >= 2 else { return false }
                guard bytes[position] == 0x0D, bytes[position + 1] == 0x0A else { throw .badRequest("chunk data not followed by CRLF") }
                position += 2
                phase = .size
            case .trailers:
                guard let line = try Self.line(bytes, &position, limit: maxTrailerBytes) else { return false }
                if line.isEmpty { return true }
            }
        }
    }

    /// One CRLF-terminated line (without the CRLF); nil when incomplete.
    static func line(_ bytes: [UInt8], _ position: inout Int, limit: Int) throws(HTTPParseError) -> ArraySlice<UInt8>? {
        var i = position
        while i + 1 < bytes.count {
            if bytes[i] == 0x0D && bytes[i + 1] == 0x0A {
                let line = bytes[position..<i]
                position = i + 2
                return line
            }
            i += 1
        }
        if bytes.count - position > limit { throw .badRequest("line too long") }
        return nil
    }
}
