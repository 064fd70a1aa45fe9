import Synchronization

/// The open connections by token, split over shards that each have their own lock.
///
/// Every readiness event on every server thread looks its connection up here. Behind one lock those
/// lookups collided on every request at 64 connections, and the toolchain's `Mutex` on Linux is a
/// priority-inheritance futex: a collision spins and then sleeps in the kernel, and a holder preempted
/// on a busy core stalls every thread behind it (measured: a third of the server's CPU in the lock's slow
/// path, and `GET /health` swinging between 17k and 60k req/s from one run to the next). Tokens are handed
/// out in sequence, so consecutive connections land on different shards.
final class ConnectionTable: Sendable {
    private final class Shard: Sendable {
        let map = Mutex<[UInt64: ServerConnection]>([:])
    }
    private static let shardCount = 32
    private let shards: [Shard] = (0..<ConnectionTable.shardCount).map { _ in Shard() }

    private func shard(_ token: UInt64) -> Shard { shards[Int(token % UInt64(Self.shardCount))] }

    func insert(_ connection: ServerConnection) {
        shard(connection.token).map.withLock { $0[connection.token] = connection }
    }

    subscript(token: UInt64) -> ServerConnection? { shard(token).map.withLock { $0[token] } }

    var isEmpty: Bool { shards.allSatisfy { $0.map.withLock { $0.isEmpty } } }

    /// Every connection now, one shard locked at a time (a snapshot, for the deadline sweep).
    var all: [ServerConnection] { shards.flatMap { shard in shard.map.withLock { Array($0.values) } } }

    func remove(_ tokens: [UInt64]) {
        for token in tokens { _ = shard(token).map.withLock { $0.removeValue(forKey: token) } }
    }
}
