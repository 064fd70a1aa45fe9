import BatonSupport
import Foundation

/// What the engine works with besides its own state: storage, definitions, the script engines, the
/// sources of ids, randomness and time, and the client for HTTP tasks. The wiring builds one; tests
/// swap in fakes.
public struct EngineEnvironment: Sendable {
    public var store: any ExecutionStore
    public var definitions: DefinitionCatalog
    public var events: (any EventHandlerStore)?
    public var scripts: any ScriptEvaluator
    public var ids: any IDSource
    public var random: any RandomSource
    public var clock: any TimeSource
    /// Sends HTTP tasks' requests (off the engine thread).
    public var httpSender: HTTPSender
    /// This server's name, as the `workerId` of the HTTP tasks it runs.
    public var serverId: String

    public init(store: any ExecutionStore, definitions: DefinitionCatalog, events: (any EventHandlerStore)? = nil,
                scripts: any ScriptEvaluator, ids: any IDSource = TimeOrderedIDs(), random: any RandomSource = SystemRandom(),
                clock: any TimeSource, httpSender: HTTPSender? = nil, serverId: String = ProcessInfo.processInfo.hostName) {
        self.store = store
        self.definitions = definitions
        self.events = events
        self.scripts = scripts
        self.ids = ids
        self.random = random
        self.clock = clock
        self.httpSender = httpSender ?? { _ in .failure(HTTPTaskError("no HTTP client configured")) }
        self.serverId = serverId
    }
}
