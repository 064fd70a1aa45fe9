import BatonEngine
import BatonHTTP
import BatonSupport
import Foundation

/// Errors of the HTTP surface itself (bad query parameters, unreadable bodies).
public enum APIError: Error, Equatable, Sendable {
    case badRequest(String)
}

/// Conductor's error JSON: `{"status":404,"message":"…","instance":"host","retryable":false}`.
public enum ErrorResponses {
    /// The host name reported as `instance`, as OSS does.
    static let instance: String = ProcessInfo.processInfo.hostName

    private static let log = Logger(label: "baton.api")

    public static func body(status: Int, message: String, retryable: Bool = false) -> HTTPResponse {
        let json: JSONValue = ["status": .int(Int64(status)), "message": .string(message),
                               "instance": .string(instance), "retryable": .bool(retryable)]
        return .json(JSONWriter.bytes(json), status: status)
    }

    static func validation(_ errors: [ValidationError]) -> HTTPResponse {
        let list: [JSONValue] = errors.map { e in
            var o: JSONObject = ["path": .string(e.path), "message": .string(e.message)]
            if let v = e.invalidValue { o["invalidValue"] = .string(v) }
            return .object(o)
        }
        let json: JSONValue = ["status": 400, "message": "Validation failed, check below errors for detail.",
                               "retryable": false, "validationErrors": .array(list)]
        return .json(JSONWriter.bytes(json), status: 400)
    }

    /// The HTTP status of each engine error, as OSS answers it (the 500s and some 404s are OSS's
    /// accidents — unmapped IllegalStateExceptions, NotFound for a running workflow — kept because
    /// clients see exactly them).
    static func status(of error: EngineError) -> Int {
        switch error {
        case .workflowNotFound, .taskNotFound, .workflowDefNotFound, .workflowDefNotFoundByName, .subWorkflowDefMissing,
             .taskDefNotFound, .taskDefToUpdateNotFound, .taskDefToDeleteNotFound, .workflowDefToDeleteNotFound,
             .eventHandlerNotFound, .notFound:
            404
        case .workflowDefExists, .eventHandlerExists: 409
        case .invalid, .validation: 400
        case .storage, .commitFailed: 500
        case .notAllowed(let refusal): status(of: refusal)
        }
    }

    static func status(of refusal: Refusal) -> Int {
        switch refusal {
        case .pauseEnded, .terminateCompleted, .restartNotEnded, .retryNotStarted, .retryNothingToRetry,
             .rerunNotEnded, .resetCallbacksEnded, .messageNotRunning, .clockNotManual:
            409
        case .resetNotAllowed: 403
        case .messageQueueFull: 429
        case .restartLatestDefinitionMissing, .restartNotRestartable, .retryStillRunning: 404
        case .rerunTaskNotFound, .archiveNotEnded: 400
        case .resumeNotPaused, .skipNotRunning, .skipUnknownReference, .skipAlreadyProcessed: 500
        }
    }

    /// The one place where errors become statuses (the web UI shows the same answer on its pages).
    public static func response(for error: any Error, request: HTTPRequest) -> HTTPResponse {
        switch error {
        case let e as EngineError:
            log.debug("request refused", ["path": request.rawPath, "error": e.message])
            switch e {
            case .validation(let errors): return validation(errors)
            case .storage(let m, let retryable):
                log.error("storage failure", ["path": request.rawPath, "error": m])
                return retryable ? body(status: 500, message: "temporary storage failure, try again", retryable: true)
                                 : body(status: 500, message: m)
            default: return body(status: status(of: e), message: e.message)
            }
        case let e as APIError:
            switch e {
            case .badRequest(let m):
                log.debug("bad request", ["path": request.rawPath, "error": m])
                return body(status: 400, message: m)
            }
        case let e as any RetryableError where e.isRetryable:
            log.error("transient failure", ["path": request.rawPath, "error": String(describing: e)])
            return body(status: 500, message: "temporary storage failure, try again", retryable: true)
        default:
            log.error("request failed", ["method": request.method, "path": request.rawPath, "error": String(describing: error)])
            return body(status: 500, message: "internal error: \(type(of: error))")
        }
    }
}
