import BatonSupport

public enum RetryLogic: String, Sendable, CaseIterable {
    case fixed = "FIXED", exponentialBackoff = "EXPONENTIAL_BACKOFF", linearBackoff = "LINEAR_BACKOFF"
}

public enum TaskTimeoutPolicy: String, Sendable, CaseIterable {
    case retry = "RETRY", timeOutWorkflow = "TIME_OUT_WF", alertOnly = "ALERT_ONLY"
}

/// A task definition. `json` is what the client sent with Conductor's defaults filled in, so fields
/// Baton does not model come back unchanged on GET.
public struct TaskDef: Sendable, Equatable {
    public private(set) var json: JSONObject
    /// `json` as bytes, kept in step with it.
    public private(set) var serialized: [UInt8]
    public var name: String
    public var description: String?
    public var retryCount: Int
    public var retryLogic: RetryLogic
    public var retryDelaySeconds: Int
    public var backoffScaleFactor: Int
    public var maxRetryDelaySeconds: Int
    public var backoffJitterMs: Int
    public var timeoutSeconds: Int64
    public var totalTimeoutSeconds: Int64
    public var responseTimeoutSeconds: Int64
    public var pollTimeoutSeconds: Int?
    public var timeoutPolicy: TaskTimeoutPolicy
    public var concurrentExecLimit: Int?
    public var rateLimitPerFrequency: Int
    public var rateLimitFrequencyInSeconds: Int
    public var inputTemplate: JSONObject
    public var isolationGroupId: String?
    public var executionNameSpace: String?
    public var ownerEmail: String?

    /// Conductor's serialized fields in OSS order; nil defaults are written only when the client sent them.
    static let layout: [(String, JSONValue?)] = [
        ("createTime", 0), ("updateTime", 0), ("createdBy", nil), ("updatedBy", nil), ("name", nil),
        ("description", nil), ("retryCount", 3), ("timeoutSeconds", 0), ("inputKeys", []), ("outputKeys", []),
        ("runtimeMetadata", []), ("timeoutPolicy", "TIME_OUT_WF"), ("retryLogic", "FIXED"), ("retryDelaySeconds", 60),
        ("responseTimeoutSeconds", 3600), ("concurrentExecLimit", nil), ("inputTemplate", [:]),
        ("rateLimitPerFrequency", 0), ("rateLimitFrequencyInSeconds", 1), ("isolationGroupId", nil),
        ("executionNameSpace", nil), ("ownerEmail", nil), ("pollTimeoutSeconds", nil), ("backoffScaleFactor", 1),
        ("maxRetryDelaySeconds", 0), ("backoffJitterMs", 0), ("baseType", nil), ("totalTimeoutSeconds", 0),
        ("inputSchema", nil), ("outputSchema", nil), ("taskStatusListenerEnabled", true), ("enforceSchema", false),
    ]

    /// Decodes a client's task definition; type errors throw, rule checks are `validate()`.
    public init(json value: JSONValue, path: String = "") throws(EngineError) {
        let f = try JSONFields(value, path: path)
        var json = Canonical.layout(f.object, Self.layout)
        try Canonical.coerce(&json, strings: ["createdBy", "updatedBy", "name", "description", "isolationGroupId", "executionNameSpace",
                                              "ownerEmail", "baseType", "ownerApp"],
                             integers: ["createTime", "updateTime", "retryCount", "timeoutSeconds", "retryDelaySeconds",
                                        "responseTimeoutSeconds", "concurrentExecLimit", "rateLimitPerFrequency",
                                        "rateLimitFrequencyInSeconds", "pollTimeoutSeconds", "backoffScaleFactor",
                                        "maxRetryDelaySeconds", "backoffJitterMs", "totalTimeoutSeconds"], path: path)
        self.json = json
        serialized = JSONWriter.bytes(.object(json))
        let g = JSONFields(json, path: path)
        name = try g.string("name") ?? ""
        description = try g.string("description")
        retryCount = try g.int("retryCount") ?? 3
        retryLogic = try g.enumValue("retryLogic", RetryLogic.self) ?? .fixed
        retryDelaySeconds = try g.int("retryDelaySeconds") ?? 60
        backoffScaleFactor = try g.int("backoffScaleFactor") ?? 1
        maxRetryDelaySeconds = try g.int("maxRetryDelaySeconds") ?? 0
        backoffJitterMs = try g.int("backoffJitterMs") ?? 0
        timeoutSeconds = try g.int64("timeoutSeconds") ?? 0
        totalTimeoutSeconds = try g.int64("totalTimeoutSeconds") ?? 0
        responseTimeoutSeconds = try g.int64("responseTimeoutSeconds") ?? 3600
        pollTimeoutSeconds = try g.int("pollTimeoutSeconds")
        timeoutPolicy = try g.enumValue("timeoutPolicy", TaskTimeoutPolicy.self) ?? .timeOutWorkflow
        concurrentExecLimit = try g.int("concurrentExecLimit")
        rateLimitPerFrequency = try g.int("rateLimitPerFrequency") ?? 0
        rateLimitFrequencyInSeconds = try g.int("rateLimitFrequencyInSeconds") ?? 1
        inputTemplate = try g.object("inputTemplate") ?? JSONObject()
        isolationGroupId = try g.string("isolationGroupId")
        executionNameSpace = try g.string("executionNameSpace")
        ownerEmail = try g.string("ownerEmail")
        _ = try g.strings("inputKeys")
        _ = try g.strings("outputKeys")
        _ = try g.bool("enforceSchema")
    }

    /// The ad-hoc definition a task gets when none is registered: TaskDef defaults for worker tasks,
    /// no retries and no response timeout for system tasks.
    public static func adHoc(name: String, isSystemTask: Bool) -> TaskDef {
        var json: JSONObject = ["name": .string(name)]
        if isSystemTask {
            json["retryCount"] = 0
            json["responseTimeoutSeconds"] = 0
        }
        // Cannot fail: every field is well-typed.
        return (try? TaskDef(json: .object(json))) ?? { fatalError("ad-hoc TaskDef") }()
    }

    /// Conductor's bean-validation rules for a task definition, exactly those of OSS's `TaskDef`
    /// (@NotEmpty name, the @Min on retryCount, responseTimeoutSeconds, pollTimeoutSeconds,
    /// backoffScaleFactor, maxRetryDelaySeconds, backoffJitterMs, totalTimeoutSeconds) and
    /// `@TaskTimeoutConstraint` (the last two checks); messages as OSS renders them (a `@Min` message
    /// quotes the limit, not the value sent). OSS puts no bound on `retryDelaySeconds`.
    public func validate(path: String) -> [ValidationError] {
        var errors: [ValidationError] = []
        func at(_ k: String) -> String { path.isEmpty ? k : "\(path).\(k)" }
        func minimum(_ field: String, _ value: Int64, _ min: Int64, _ message: String) {
            if value < min { errors.append(ValidationError(path: at(field), message: message, invalidValue: String(value))) }
        }
        if name.trimmingCharacters(in: .whitespaces).isEmpty {
            errors.append(ValidationError(path: at("name"), message: "TaskDef name cannot be null or empty"))
        }
        minimum("retryCount", Int64(retryCount), 0, "TaskDef retryCount: 0 must be >= 0")
        minimum("responseTimeoutSeconds", responseTimeoutSeconds, 1,
                "TaskDef responseTimeoutSeconds: \(responseTimeoutSeconds) should be minimum 1 second")
        if let poll = pollTimeoutSeconds { minimum("pollTimeoutSeconds", Int64(poll), 0, "TaskDef pollTimeoutSeconds: 0 must be >= 0") }
        minimum("backoffScaleFactor", Int64(backoffScaleFactor), 1, "Backoff scale factor. Applicable for LINEAR_BACKOFF")
        minimum("maxRetryDelaySeconds", Int64(maxRetryDelaySeconds), 0, "TaskDef maxRetryDelaySeconds: 0 must be >= 0")
        minimum("backoffJitterMs", Int64(backoffJitterMs), 0, "TaskDef backoffJitterMs: 0 must be >= 0")
        minimum("totalTimeoutSeconds", totalTimeoutSeconds, 0, "TaskDef totalTimeoutSeconds: 0 must be >= 0")
        if timeoutSeconds > 0 && responseTimeoutSeconds > timeoutSeconds {
            errors.append(ValidationError(path: path, message:
                "TaskDef: \(name) responseTimeoutSeconds: \(responseTimeoutSeconds) must be less than timeoutSeconds: \(timeoutSeconds)"))
        }
        if timeoutSeconds > 0 && totalTimeoutSeconds > 0 && timeoutSeconds > totalTimeoutSeconds {
            errors.append(ValidationError(path: path, message:
                "TaskDef: \(name) timeoutSeconds: \(timeoutSeconds) must be less than or equal to totalTimeoutSeconds: \(totalTimeoutSeconds)"))
        }
        return errors
    }

    /// Sets the server-owned times.
    public mutating func stamp(createTime: Int64, updateTime: Int64, createdBy: String?) {
        json["createTime"] = .int(createTime)
        json["updateTime"] = .int(updateTime)
        if let createdBy { json["createdBy"] = .string(createdBy) }
        serialized = JSONWriter.bytes(.object(json))
    }

    public static func == (a: TaskDef, b: TaskDef) -> Bool { a.serialized == b.serialized }
}

import Foundation
