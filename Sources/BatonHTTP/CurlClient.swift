import BatonSupport
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `https://` for the HTTP task through libcurl (`libcurl4`), opened at run time like the script
/// engines: Baton builds and starts without it, and an HTTPS call then fails naming the package. TLS,
/// certificate checks and the CA store are libcurl's (the system's bundle, plus `caFile` when set).
/// Calls are blocking, one easy handle each, on the HTTP task's own thread.
public final class CurlClient: Sendable {
    /// The libcurl entry points Baton uses. `curl_easy_setopt` is variadic in C; each option kind is
    /// called through a prototype with that one argument type, which is how the C ABI passes it.
    private struct API: @unchecked Sendable {
        typealias Handle = OpaquePointer
        let easyInit: @convention(c) () -> Handle?
        let cleanup: @convention(c) (Handle?) -> Void
        let perform: @convention(c) (Handle?) -> Int32
        let setLong: @convention(c) (Handle?, Int32, Int) -> Int32
        let setPointer: @convention(c) (Handle?, Int32, UnsafeRawPointer?) -> Int32
        let setCallback: @convention(c) (Handle?, Int32, WriteCallback?) -> Int32
        let getLong: @convention(c) (Handle?, Int32, UnsafeMutablePointer<Int>?) -> Int32
        let slistAppend: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> OpaquePointer?
        let slistFree: @convention(c) (OpaquePointer?) -> Void
        let strerror: @convention(c) (Int32) -> UnsafePointer<CChar>?
    }
    typealias WriteCallback = @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int

    // Option and info numbers from curl.h (stable ABI).
    private enum Option {
        static let writeData: Int32 = 10001, url: Int32 = 10002, errorBuffer: Int32 = 10010, postFields: Int32 = 10015
        static let httpHeader: Int32 = 10023, headerData: Int32 = 10029, customRequest: Int32 = 10036, caInfo: Int32 = 10065
        static let writeFunction: Int32 = 20011, headerFunction: Int32 = 20079
        static let noSignal: Int32 = 99, timeoutMs: Int32 = 155, connectTimeoutMs: Int32 = 156, noBody: Int32 = 44
        static let postFieldSizeLarge: Int32 = 30120
        static let responseCode: Int32 = 0x200002
    }
    private static let peerFailedVerification: Int32 = 60, sslCACert: Int32 = 77, sslCertProblem: Int32 = 58, sslConnect: Int32 = 35

    /// Opened on the first https:// call (a static is initialised once, thread-safely, when first
    /// read), so a server that never calls HTTPS never loads libcurl and its TLS libraries.
    private static let api: Result<API, HTTPClient.Failure> = load()
    /// The CA bundle libcurl verifies against, when it is not libcurl's built-in default.
    private let caFile: String?

    /// `extraCAFile`: certificates trusted besides the system's (a private CA, a test's own); they are
    /// combined with the system bundle into one file for libcurl.
    public init(extraCAFile: String?) throws(HTTPClient.Failure) {
        guard let extra = extraCAFile, !extra.isEmpty else { caFile = nil; return }
        guard let added = FileManager.default.contents(atPath: extra) else {
            throw HTTPClient.Failure("the CA file \(extra) cannot be read")
        }
        let systemBundles = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"]
        var combined = systemBundles.lazy.compactMap { FileManager.default.contents(atPath: $0) }.first ?? Data()
        combined.append(0x0A)
        combined.append(added)
        let path = NSTemporaryDirectory() + "baton-ca-\(getpid()).pem"
        guard FileManager.default.createFile(atPath: path, contents: combined) else {
            throw HTTPClient.Failure("cannot write the combined CA bundle \(path)")
        }
        caFile = path
    }

    private static func load() -> Result<API, HTTPClient.Failure> {
        let name = "libcurl.so.4"
        guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) ?? dlopen("libcurl.dylib", RTLD_NOW | RTLD_LOCAL) else {
            let why = dlerror().map { String(cString: $0) } ?? "not found"
            return .failure(HTTPClient.Failure("https:// needs \(name) (install the Debian package libcurl4): \(why)"))
        }
        func fn<T>(_ symbol: String, _: T.Type = T.self) throws(HTTPClient.Failure) -> T {
            guard let p = dlsym(handle, symbol) else { throw HTTPClient.Failure("https:// needs \(symbol) from \(name) (install libcurl4)") }
            return unsafeBitCast(p, to: T.self)
        }
        do {
            let globalInit: @convention(c) (Int) -> Int32 = try fn("curl_global_init")
            _ = globalInit(3)   // CURL_GLOBAL_ALL, once, before any thread uses libcurl
            return .success(API(easyInit: try fn("curl_easy_init"), cleanup: try fn("curl_easy_cleanup"), perform: try fn("curl_easy_perform"),
                                setLong: try fn("curl_easy_setopt"), setPointer: try fn("curl_easy_setopt"), setCallback: try fn("curl_easy_setopt"),
                                getLong: try fn("curl_easy_getinfo"), slistAppend: try fn("curl_slist_append"),
                                slistFree: try fn("curl_slist_free_all"), strerror: try fn("curl_easy_strerror")))
        } catch {
            return .failure(error)
        }
    }

    /// What the callbacks fill, reached through the opaque pointer libcurl hands back.
    private final class Received {
        var body: [UInt8] = []
        var headerLines: [String] = []
        let limit = 64 * 1024 * 1024
    }

    public func send(method: String, url: String, headers: [(String, String)], body: [UInt8]?,
                     connectTimeoutMillis: Int, readTimeoutMillis: Int) throws(HTTPClient.Failure) -> HTTPClient.Response {
        let api = try Self.api.get()
        guard let curl = api.easyInit() else { throw HTTPClient.Failure("curl_easy_init failed") }
        defer { api.cleanup(curl) }
        var list: OpaquePointer?
        defer { api.slistFree(list) }
        for (n, v) in headers { list = api.slistAppend(list, "\(n): \(v)") }
        // An empty `Expect:` keeps libcurl from waiting for a 100-continue the server may never send.
        list = api.slistAppend(list, "Expect:")
        let received = Received()
        let context = Unmanaged.passUnretained(received).toOpaque()
        var errorText = [CChar](repeating: 0, count: 256)
        let payload = body ?? []
        let code: Int32 = url.withCString { urlText in
            method.withCString { methodText in
                (caFile ?? "").withCString { caText in
                    payload.withUnsafeBytes { bodyBytes in
                        errorText.withUnsafeMutableBufferPointer { errorBuffer in
                            _ = api.setPointer(curl, Option.url, urlText)
                            _ = api.setLong(curl, Option.noSignal, 1)
                            _ = api.setPointer(curl, Option.customRequest, methodText)
                            if method == "HEAD" { _ = api.setLong(curl, Option.noBody, 1) }
                            _ = api.setPointer(curl, Option.httpHeader, UnsafeRawPointer(list))
                            if body != nil {
                                _ = api.setPointer(curl, Option.postFields, bodyBytes.baseAddress ?? UnsafeRawPointer(errorBuffer.baseAddress!))
                                _ = api.setLong(curl, Option.postFieldSizeLarge, payload.count)
                            }
                            _ = api.setLong(curl, Option.connectTimeoutMs, max(1, connectTimeoutMillis))
                            _ = api.setLong(curl, Option.timeoutMs, max(1, connectTimeoutMillis + readTimeoutMillis))
                            if caFile != nil { _ = api.setPointer(curl, Option.caInfo, caText) }
                            _ = api.setPointer(curl, Option.errorBuffer, errorBuffer.baseAddress)
                            _ = api.setCallback(curl, Option.writeFunction, { data, size, count, ctx in
                                let r = Unmanaged<Received>.fromOpaque(ctx!).takeUnretainedValue()
                                let n = size * count
                                guard r.body.count + n <= r.limit, let data else { return 0 }
                                data.withMemoryRebound(to: UInt8.self, capacity: n) { r.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: n)) }
                                return n
                            })
                            _ = api.setPointer(curl, Option.writeData, context)
                            _ = api.setCallback(curl, Option.headerFunction, { data, size, count, ctx in
                                let r = Unmanaged<Received>.fromOpaque(ctx!).takeUnretainedValue()
                                let n = size * count
                                guard let data else { return n }
                                let line = data.withMemoryRebound(to: UInt8.self, capacity: n) { String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self) }
                                r.headerLines.append(line.trimmingCharacters(in: .whitespacesAndNewlines))
                                return n
                            })
                            _ = api.setPointer(curl, Option.headerData, context)
                            return api.perform(curl)
                        }
                    }
                }
            }
        }
        guard code == 0 else {
            let written = String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let detail = written.isEmpty ? api.strerror(code).map { String(cString: $0) } ?? "error \(code)" : written
            switch code {
            case Self.peerFailedVerification, Self.sslCACert, Self.sslCertProblem:
                throw HTTPClient.Failure("TLS certificate verification failed for \(url): \(detail)")
            default:
                throw HTTPClient.Failure("request to \(url) failed: \(detail)")
            }
        }
        var status = 0
        _ = api.getLong(curl, Option.responseCode, &status)
        return HTTPClient.Response(status: status, reason: Self.reason(received.headerLines), headers: Self.headers(received.headerLines),
                                   body: received.body)
    }

    /// The lines of the last response head (after any 100 Continue or redirect heads).
    private static func lastHead(_ lines: [String]) -> ArraySlice<String> {
        let start = lines.lastIndex { $0.hasPrefix("HTTP/") } ?? 0
        return lines[start...]
    }

    private static func reason(_ lines: [String]) -> String {
        guard let statusLine = lastHead(lines).first else { return "" }
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        return parts.count > 2 ? String(parts[2]) : ""
    }

    private static func headers(_ lines: [String]) -> [(String, String)] {
        lastHead(lines).dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
    }
}
