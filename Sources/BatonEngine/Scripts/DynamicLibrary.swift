import BatonSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A shared library opened at run time with `dlopen`, so Baton builds and runs without the library's
/// headers and still starts when it is missing (only the scripts that need it fail, naming the package).
/// It is never closed: the function pointers resolved from it live as long as the process.
struct DynamicLibrary {
    let name: String
    /// What the library is for, e.g. "JavaScript evaluation"; the first words of every error.
    let purpose: String
    /// The Debian package that installs it, e.g. "libjq1".
    let package: String
    private let handle: UnsafeMutableRawPointer

    init(name: String, purpose: String, package: String) throws(ScriptError) {
        guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else {
            throw ScriptError.unavailable(
                "\(purpose) needs \(name) (install the Debian package \(package)): \(Self.lastError())")
        }
        self.name = name
        self.purpose = purpose
        self.package = package
        self.handle = handle
    }

    /// The function `symbol` as the C function type `T` (which the caller must declare exactly as the C prototype).
    func function<T>(_ symbol: String, as type: T.Type = T.self) throws(ScriptError) -> T {
        _ = dlerror()
        guard let address = dlsym(handle, symbol) else {
            throw ScriptError.unavailable(
                "\(purpose) needs \(name) with the symbol \(symbol) (install the Debian package \(package)): "
                    + Self.lastError())
        }
        return unsafeBitCast(address, to: T.self)
    }

    private static func lastError() -> String {
        guard let text = dlerror() else { return "unknown dlopen error" }
        return String(cString: text)
    }
}
