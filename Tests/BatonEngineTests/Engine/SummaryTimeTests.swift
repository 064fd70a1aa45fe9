@testable import BatonEngine
import Foundation
import Testing

/// Search summaries and the web UI write times as `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`: the same text
/// Foundation's ISO 8601 formatter gives, for any instant.
@Suite struct SummaryTimeTests {
    @Test func isoMatchesFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        // Fixed instants (a random one could land where a double's rounding differs): edges, and 200
        // spread over 1970–2100 at an odd step so every field takes many values.
        let samples: [Int64] = [0, 1, 999, 1_000, 86_399_999, 951_782_400_000, 1_700_000_000_123, 253_402_300_799_999]
            + Array(stride(from: Int64(7), to: 4_102_444_800_000, by: 20_512_224_001))
        for millis in samples {
            let date = Date(timeIntervalSince1970: Double(millis) / 1000)
            #expect(WorkflowSummary.iso(millis) == formatter.string(from: date), "\(millis)")
        }
        #expect(WorkflowSummary.iso(-1) == "1969-12-31T23:59:59.999Z")
        #expect(WorkflowSummary.iso(253_402_300_800_000) == "10000-01-01T00:00:00.000Z")
    }
}
