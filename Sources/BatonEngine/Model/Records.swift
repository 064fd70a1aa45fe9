import BatonSupport

/// One line of a task's log (`TaskExecLog`).
public struct TaskExecLog: Sendable, Equatable {
    public var log: String
    public var taskId: String
    public var createdTime: Int64

    public init(log: String, taskId: String, createdTime: Int64) {
        self.log = log
        self.taskId = taskId
        self.createdTime = createdTime
    }

    public var json: JSONValue { ["log": .string(log), "taskId": .string(taskId), "createdTime": .int(createdTime)] }
}

/// The last poll of a queue by a worker (`PollData`).
public struct PollData: Sendable, Equatable {
    public var queueName: String
    public var domain: String?
    public var workerId: String
    public var lastPollTime: Int64

    public init(queueName: String, domain: String?, workerId: String, lastPollTime: Int64) {
        self.queueName = queueName
        self.domain = domain
        self.workerId = workerId
        self.lastPollTime = lastPollTime
    }

    public var json: JSONValue {
        var o: JSONObject = ["queueName": .string(queueName)]
        if let domain { o["domain"] = .string(domain) }
        o["workerId"] = .string(workerId)
        o["lastPollTime"] = .int(lastPollTime)
        return .object(o)
    }
}
