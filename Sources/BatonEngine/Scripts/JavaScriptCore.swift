import BatonSupport
/// JavaScriptCore's C API, declared by hand (no headers at build time) and resolved with `dlsym`.
/// Each function type mirrors its prototype in JavaScriptCore's `JSBase.h`/`JSValueRef.h`/`JSObjectRef.h`/
/// `JSStringRef.h`/`JSContextRef.h`; all the opaque reference types are pointers.
typealias JSContextGroupRef = OpaquePointer
typealias JSContextRef = OpaquePointer          // JSGlobalContextRef too
typealias JSStringRef = OpaquePointer
typealias JSValueRef = OpaquePointer            // JSObjectRef too
typealias JSClassRef = OpaquePointer

/// `JSType` values (a C enum, so `unsigned int`).
enum JSType {
    static let undefined: UInt32 = 0, null: UInt32 = 1, boolean: UInt32 = 2, number: UInt32 = 3
    static let string: UInt32 = 4, object: UInt32 = 5, symbol: UInt32 = 6, bigint: UInt32 = 7
}

/// `bool (*JSShouldTerminateCallback)(JSContextRef ctx, void* context)`
typealias JSShouldTerminateCallback = @convention(c) (JSContextRef?, UnsafeMutableRawPointer?) -> Bool

/// The loaded library: plain C function pointers, so it is a Sendable value shared by all threads.
struct JavaScriptCore: Sendable {
    let contextGroupCreate: @convention(c) () -> JSContextGroupRef?
    let contextGroupRelease: @convention(c) (JSContextGroupRef?) -> Void
    let contextGroupSetExecutionTimeLimit:
        @convention(c) (JSContextGroupRef?, Double, JSShouldTerminateCallback?, UnsafeMutableRawPointer?) -> Void
    let globalContextCreateInGroup: @convention(c) (JSContextGroupRef?, JSClassRef?) -> JSContextRef?
    let globalContextRelease: @convention(c) (JSContextRef?) -> Void
    let contextGetGlobalObject: @convention(c) (JSContextRef?) -> JSValueRef?
    let stringCreateWithCharacters: @convention(c) (UnsafePointer<UInt16>?, Int) -> JSStringRef?
    let stringRelease: @convention(c) (JSStringRef?) -> Void
    let stringGetLength: @convention(c) (JSStringRef?) -> Int
    let stringGetCharactersPtr: @convention(c) (JSStringRef?) -> UnsafePointer<UInt16>?
    let evaluateScript: @convention(c) (
        JSContextRef?, JSStringRef?, JSValueRef?, JSStringRef?, Int32, UnsafeMutablePointer<JSValueRef?>?
    ) -> JSValueRef?
    let valueMakeFromJSONString: @convention(c) (JSContextRef?, JSStringRef?) -> JSValueRef?
    let valueCreateJSONString:
        @convention(c) (JSContextRef?, JSValueRef?, UInt32, UnsafeMutablePointer<JSValueRef?>?) -> JSStringRef?
    let valueGetType: @convention(c) (JSContextRef?, JSValueRef?) -> UInt32
    let valueToBoolean: @convention(c) (JSContextRef?, JSValueRef?) -> Bool
    let valueToNumber: @convention(c) (JSContextRef?, JSValueRef?, UnsafeMutablePointer<JSValueRef?>?) -> Double
    let valueToStringCopy:
        @convention(c) (JSContextRef?, JSValueRef?, UnsafeMutablePointer<JSValueRef?>?) -> JSStringRef?
    let objectIsFunction: @convention(c) (JSContextRef?, JSValueRef?) -> Bool
    let objectGetProperty: @convention(c) (
        JSContextRef?, JSValueRef?, JSStringRef?, UnsafeMutablePointer<JSValueRef?>?
    ) -> JSValueRef?
    let objectSetProperty: @convention(c) (
        JSContextRef?, JSValueRef?, JSStringRef?, JSValueRef?, UInt32, UnsafeMutablePointer<JSValueRef?>?
    ) -> Void
    let objectDeleteProperty: @convention(c) (
        JSContextRef?, JSValueRef?, JSStringRef?, UnsafeMutablePointer<JSValueRef?>?
    ) -> Bool

    init(_ lib: DynamicLibrary) throws(ScriptError) {
        contextGroupCreate = try lib.function("JSContextGroupCreate")
        contextGroupRelease = try lib.function("JSContextGroupRelease")
        contextGroupSetExecutionTimeLimit = try lib.function("JSContextGroupSetExecutionTimeLimit")
        globalContextCreateInGroup = try lib.function("JSGlobalContextCreateInGroup")
        globalContextRelease = try lib.function("JSGlobalContextRelease")
        contextGetGlobalObject = try lib.function("JSContextGetGlobalObject")
        stringCreateWithCharacters = try lib.function("JSStringCreateWithCharacters")
        stringRelease = try lib.function("JSStringRelease")
        stringGetLength = try lib.function("JSStringGetLength")
        stringGetCharactersPtr = try lib.function("JSStringGetCharactersPtr")
        evaluateScript = try lib.function("JSEvaluateScript")
        valueMakeFromJSONString = try lib.function("JSValueMakeFromJSONString")
        valueCreateJSONString = try lib.function("JSValueCreateJSONString")
        valueGetType = try lib.function("JSValueGetType")
        valueToBoolean = try lib.function("JSValueToBoolean")
        valueToNumber = try lib.function("JSValueToNumber")
        valueToStringCopy = try lib.function("JSValueToStringCopy")
        objectIsFunction = try lib.function("JSObjectIsFunction")
        objectGetProperty = try lib.function("JSObjectGetProperty")
        objectSetProperty = try lib.function("JSObjectSetProperty")
        objectDeleteProperty = try lib.function("JSObjectDeleteProperty")
    }

    /// Runs `body` with a JSString holding `text` (UTF-16, so embedded NULs survive), released afterwards.
    func withString<R, E: Error>(_ text: String, _ body: (JSStringRef?) throws(E) -> R) throws(E) -> R {
        let units = Array(text.utf16)
        let string = units.withUnsafeBufferPointer { stringCreateWithCharacters($0.baseAddress, $0.count) }
        defer { stringRelease(string) }
        return try body(string)
    }

    /// Swift text of a JSString returned by a `…Copy`/`Create…` function, releasing it.
    func takeString(_ string: JSStringRef) -> String {
        defer { stringRelease(string) }
        let count = stringGetLength(string)
        guard count > 0, let chars = stringGetCharactersPtr(string) else { return "" }
        return String(decoding: UnsafeBufferPointer(start: chars, count: count), as: UTF16.self)
    }
}
