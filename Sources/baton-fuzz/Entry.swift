import Foundation

// Built with `scripts/fuzz` (-sanitize=fuzzer -DFUZZING), libFuzzer's driver calls the selected target for
// each input, on the target named by BATON_FUZZ_TARGET. Built plainly (swift build), the same
// executable replays a corpus: `baton-fuzz replay DIR` runs every file of DIR/<target>/ through its
// target, so the inputs kept in the repository stay regression tests.

#if FUZZING
import CFuzzDriver

private let selected: @Sendable ([UInt8]) -> Void = {
    let name = ProcessInfo.processInfo.environment["BATON_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTargets.all[name] else {
        fatalError("set BATON_FUZZ_TARGET to one of \(FuzzTargets.all.keys.sorted().joined(separator: ", "))")
    }
    return target
}()

// SwiftPM links an executable's entry point under this name; libFuzzer's driver takes over from it.
@_cdecl("baton_fuzz_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        selected(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }
}
#else
@main
struct Replay {
    static func main() {
        let args = CommandLine.arguments
        guard args.count == 3, args[1] == "replay" else {
            FileHandle.standardError.write(Data("usage: baton-fuzz replay CORPUS_DIR   (fuzzing itself: scripts/fuzz)\n".utf8))
            exit(2)
        }
        let fm = FileManager.default
        var total = 0
        for name in FuzzTargets.all.keys.sorted() {
            let dir = args[2] + "/" + name
            // A target without its corpus would pass by replaying nothing: that is a failure.
            guard let files = try? fm.contentsOfDirectory(atPath: dir), !files.isEmpty else {
                FileHandle.standardError.write(Data("baton-fuzz: no corpus for \(name) at \(dir)\n".utf8))
                exit(1)
            }
            for file in files.sorted() {
                guard let data = fm.contents(atPath: dir + "/" + file) else { continue }
                FuzzTargets.all[name]!(Array(data))
                total += 1
            }
            print("\(name): \(files.count) inputs replayed")
        }
        print("replayed \(total) inputs without a crash")
    }
}
#endif
