import BatonEngine
import BatonSQLite
import BatonSupport

extension SQLiteStore: EventHandlerStore {
    public func eventHandlers(forEvent event: String?) throws -> [EventHandler] {
        try database.read { conn in
            let decode: (Row) throws -> EventHandler = { try EventHandler(json: try JSONParser.parse($0.text(0))) }
            if let event { return try conn.query("SELECT json FROM event_handler WHERE event = ? ORDER BY name", [.text(event)], decode) }
            return try conn.query("SELECT json FROM event_handler ORDER BY name", [], decode)
        }
    }

    public func createEventHandler(_ handler: EventHandler) throws -> Bool {
        try database.write { conn in
            try conn.execute("INSERT INTO event_handler (name, event, active, json) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
                             Self.row(handler)) > 0
        }
    }

    public func updateEventHandler(_ handler: EventHandler) throws -> Bool {
        try database.write { conn in
            try conn.execute("UPDATE event_handler SET event = ?, active = ?, json = ? WHERE name = ?",
                             [.text(handler.event), .integer(handler.active ? 1 : 0), .text(JSONWriter.string(.object(handler.json))), .text(handler.name)]) > 0
        }
    }

    public func deleteEventHandler(named name: String) throws -> Bool {
        try database.write { conn in try conn.execute("DELETE FROM event_handler WHERE name = ?", [.text(name)]) > 0 }
    }

    private static func row(_ h: EventHandler) -> [SQLValue] {
        [.text(h.name), .text(h.event), .integer(h.active ? 1 : 0), .text(JSONWriter.string(.object(h.json)))]
    }
}
