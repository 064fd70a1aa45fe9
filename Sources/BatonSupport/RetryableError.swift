/// An error that may go away if the request is repeated (Conductor's `retryable: true`).
public protocol RetryableError: Error {
    var isRetryable: Bool { get }
}
