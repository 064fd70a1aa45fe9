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

@Suite struct ReproducibleSourcesTests {
    @Test func sequentialIdsAreUUIDShapedOrderedAndRestart() {
        let ids = SequentialIDs()
        let made = (0..<20).map { _ in ids.next() }
        #expect(made[0] == "00000000-0000-4000-8000-000000000001")
        #expect(made[15] == "00000000-0000-4000-8000-000000000010")
        #expect(made == made.sorted())
        #expect(made.map { SequentialIDs.number(of: $0) } == (1...20).map { UInt64($0) })
        #expect(SequentialIDs.number(of: IDs.uuid()) == nil)
        ids.restart()
        #expect(ids.next() == made[0])
        #expect(SequentialIDs(after: 41).next() == SequentialIDs.id(42))
    }

    @Test func seededRandomRepeatsAndStaysInRange() {
        let a = SeededRandom(seed: 7), b = SeededRandom(seed: 7)
        let xs = (0..<100).map { _ in a.next(in: 0...9) }
        #expect(xs == (0..<100).map { _ in b.next(in: 0...9) })
        #expect(xs.allSatisfy { (0...9).contains($0) } && Set(xs).count > 5)
        a.restart()
        #expect((0..<100).map { _ in a.next(in: 0...9) } == xs)
        #expect(SeededRandom(seed: 1).next(in: 5...5) == 5)
    }

    @Test func manualClockOnlyMovesForward() {
        let clock = ManualClock(100)
        #expect(clock.isManual && !WallClock().isManual)
        #expect(clock.move(to: 50) == 100)
        #expect(clock.move(to: 150) == 150)
        clock.advance(byMillis: -10)
        #expect(clock.now == 150)
    }
}
