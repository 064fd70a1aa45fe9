import BatonSupport
/// Why a script (JavaScript or jq) produced no value. `message` is the text Conductor puts in a task's
/// `reasonForIncompletion` / `output.error`.
public enum ScriptError: Error, Equatable, Sendable {
    /// The engine's shared library is not installed; the message names the Debian package to install.
    case unavailable(String)
    /// The script did not compile or threw. JavaScript:
    /// ``Error evaluating the script `<engine message>` at line <n>``; jq: jq's own error text.
    case evaluation(String)
    /// The script ran past its time limit: `Script not evaluated within 4 seconds, interrupted.`
    case timeout(String)

    public var message: String {
        switch self {
        case .unavailable(let m), .evaluation(let m), .timeout(let m): m
        }
    }
}

extension ScriptError: CustomStringConvertible {
    public var description: String { message }
}
