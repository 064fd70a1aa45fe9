import BatonSupport
import Foundation
import Testing

@Suite struct IDsTests {
    @Test func idsAreVersion7UUIDsInCreationOrder() {
        let ids = (0..<10_000).map { _ in IDs.uuid() }
        #expect(Set(ids).count == ids.count)
        #expect(ids == ids.sorted())   // time first, then a counter: string order is creation order
        for id in ids.prefix(100) {
            let parsed = UUID(uuidString: id)
            #expect(parsed != nil)
            #expect(id == id.lowercased())
            let chars = Array(id)
            #expect(chars[14] == "7")
            #expect("89ab".contains(chars[19]))
        }
        let millis = UInt64(ids[0].replacingOccurrences(of: "-", with: "").prefix(12), radix: 16)!
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        #expect(millis <= now && now - millis < 60_000)
    }
}
