import CEventPoll
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The kernel's readiness notification (epoll on Linux, kqueue elsewhere) in the one shape the server
/// uses: every registration is one-shot, so after it fires the descriptor is silent until its owner
/// arms it again, and each firing goes to exactly one of the threads waiting. That is what lets any
/// server thread take a connection without another touching it: whoever arms it gives it up.
final class EventPoller: Sendable {
    enum Interest { case read, write }

    private let fd: Int32

    init() throws {
        #if os(Linux)
        fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        #else
        fd = kqueue()
        #endif
        guard fd >= 0 else { throw Socket.Failure(call: "epoll_create", code: errno) }
    }

    deinit { close(fd) }

    /// Starts watching `socket` (armed for `interest`).
    func add(_ socket: Int32, token: UInt64, interest: Interest) -> Bool {
        control(socket, token: token, interest: interest, adding: true)
    }

    /// Arms an already watched socket again.
    func rearm(_ socket: Int32, token: UInt64, interest: Interest) -> Bool {
        control(socket, token: token, interest: interest, adding: false)
    }

    /// Stops watching (closing the socket does this too; an explicit removal keeps a reused
    /// descriptor number from ever reaching a stale registration).
    func remove(_ socket: Int32) {
        #if os(Linux)
        var ev = epoll_event()
        _ = epoll_ctl(fd, EPOLL_CTL_DEL, socket, &ev)
        #else
        var changes = [kevent(), kevent()]
        EV_SET(&changes[0], UInt(socket), Int16(EVFILT_READ), UInt16(EV_DELETE), 0, 0, nil)
        EV_SET(&changes[1], UInt(socket), Int16(EVFILT_WRITE), UInt16(EV_DELETE), 0, 0, nil)
        _ = kevent(fd, &changes, 2, nil, 0, nil)
        #endif
    }

    private func control(_ socket: Int32, token: UInt64, interest: Interest, adding: Bool) -> Bool {
        #if os(Linux)
        var ev = epoll_event()
        let direction = interest == .read ? EPOLLIN.rawValue : EPOLLOUT.rawValue
        ev.events = direction | EPOLLONESHOT.rawValue | EPOLLRDHUP.rawValue
        ev.data.u64 = token
        return epoll_ctl(fd, adding ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, socket, &ev) == 0
        #else
        var change = kevent()
        let filter = interest == .read ? EVFILT_READ : EVFILT_WRITE
        EV_SET(&change, UInt(socket), Int16(filter), UInt16(EV_ADD | EV_ENABLE | EV_ONESHOT), 0, 0,
               UnsafeMutableRawPointer(bitPattern: UInt(token)))
        return kevent(fd, &change, 1, nil, 0, nil) == 0
        #endif
    }

    /// Waits up to `timeoutMillis` for one socket to fire (ready as armed, hung up or failed: its owner
    /// finds out which by reading or writing) and returns its token.
    func next(timeoutMillis: Int32) -> UInt64? {
        #if os(Linux)
        var ev = epoll_event()
        guard epoll_wait(fd, &ev, 1, timeoutMillis) == 1 else { return nil }
        return ev.data.u64
        #else
        var ev = kevent()
        var ts = timespec(tv_sec: Int(timeoutMillis / 1000), tv_nsec: Int(timeoutMillis % 1000) * 1_000_000)
        guard kevent(fd, nil, 0, &ev, 1, &ts) == 1 else { return nil }
        return UInt64(UInt(bitPattern: ev.udata))
        #endif
    }
}
