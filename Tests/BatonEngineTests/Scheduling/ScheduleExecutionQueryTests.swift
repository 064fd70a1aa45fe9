import BatonEngine
import Testing

@Suite struct ScheduleExecutionQueryTests {
    @Test func readsClausesAndSort() throws {
        let q = try ScheduleExecutionQuery(query: "scheduleName IN (a,b) AND state IN (FAILED) AND scheduledTime>5",
                                           sort: "scheduleName:ASC,executionTime", start: 0, size: 10)
        #expect(q.scheduleNames == ["a", "b"] && q.states == ["FAILED"] && q.scheduledAfter == 5)
        #expect(q.sort.map(\.field) == ["scheduleName", "executionTime"] && q.sort.map(\.ascending) == [true, false])
    }

    /// Found by the fuzzer (Tests/fuzz/corpus/search/colon-sort): a sort of ":" crashed the server.
    @Test(arguments: [":", "::", ",:,", ":ASC"])
    func aSortWithoutAFieldFallsBackToScheduledTime(_ sort: String) throws {
        let q = try ScheduleExecutionQuery(query: nil, sort: sort, start: 0, size: 10)
        #expect(q.sort.allSatisfy { $0.field == "scheduledTime" })
    }
}
