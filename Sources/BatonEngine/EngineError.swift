/// One field-level problem in a rejected definition or request, as Conductor reports it.
public struct ValidationError: Equatable, Sendable {
    public var path: String
    public var message: String
    public var invalidValue: String?
    public init(path: String, message: String, invalidValue: String? = nil) {
        self.path = path
        self.message = message
        self.invalidValue = invalidValue
    }
}

/// Errors the engine raises; BatonAPI maps each to one HTTP status in one place.
public enum EngineError: Error, Equatable, Sendable {
    /// 404: the workflow, task, definition or handler does not exist.
    case notFound(String)
    /// 409: the request conflicts with the current state (duplicate definition, wrong status).
    case conflict(String)
    /// 400: bad input.
    case invalid(String)
    /// 400 with `validationErrors`: a definition or request failed field validation.
    case validation([ValidationError])
    /// What OSS answers with an unmapped IllegalStateException (500); kept for compatibility.
    case illegalState(String)

    public var message: String {
        switch self {
        case .notFound(let m), .conflict(let m), .invalid(let m), .illegalState(let m): m
        case .validation(let errors): errors.map { "\($0.path): \($0.message)" }.joined(separator: "; ")
        }
    }
}
