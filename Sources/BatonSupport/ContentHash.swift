/// FNV-1a over bytes: the hash under which a stored shared part (a definition, a WorkflowTask) is
/// found again. Models compute it once, when their serialized bytes are made, so a write that refers
/// to a part does not hash the part again (it did, once per row: ~2% of the server's CPU end to end).
public enum ContentHash {
    public static func of(_ bytes: [UInt8]) -> Int64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        bytes.withUnsafeBufferPointer { buffer in
            for b in buffer { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        }
        return Int64(bitPattern: h)
    }
}
