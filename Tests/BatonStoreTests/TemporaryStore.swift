import BatonTestSupport
@testable import BatonStore

/// A store on a temporary database of its own, closed (and its files deleted) when the test lets go.
/// Hold it to the end with `defer { withExtendedLifetime(disk) {} }`: ARC may end it after its last use.
final class TemporaryStore {
    private let file = TemporaryDatabase()
    let store: SQLiteStore

    init() throws { store = try SQLiteStore(path: file.path, now: 0) }

    deinit { store.close() }
}
