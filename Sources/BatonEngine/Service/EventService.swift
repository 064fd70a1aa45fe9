import BatonSupport

/// `/api/event`: event handler definitions.
public final class EventService: Sendable {
    private let store: any EventHandlerStore

    public init(store: any EventHandlerStore) { self.store = store }

    public func add(_ body: JSONValue) throws {
        let handler = try EventHandler(json: body)
        guard try store.createEventHandler(handler) else {
            throw EngineError.eventHandlerExists(name: handler.name)
        }
    }

    public func update(_ body: JSONValue) throws {
        let handler = try EventHandler(json: body)
        guard try store.updateEventHandler(handler) else {
            throw EngineError.eventHandlerNotFound(name: handler.name)
        }
    }

    public func all() throws -> [EventHandler] { try store.eventHandlers(forEvent: nil) }

    public func handlers(forEvent event: String, activeOnly: Bool) throws -> [EventHandler] {
        try store.eventHandlers(forEvent: event).filter { !activeOnly || $0.active }
    }

    public func remove(_ name: String) throws {
        guard try store.deleteEventHandler(named: name) else {
            throw EngineError.eventHandlerNotFound(name: name)
        }
    }
}
