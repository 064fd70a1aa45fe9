/// Which attempt of an earlier version of a workflow each attempt of a newer one is. Attempts are
/// almost always appended, so each is first looked for at its own position; a dictionary of ids is
/// built only when that fails (a skip inserts at the front, a rerun drops attempts). Saving and
/// applying a change do this for every command, so the hashing it avoids is most of their cost.
struct TaskMatching {
    /// For each attempt of `new`, its index in `old`, if it was there.
    let oldIndex: [Int?]
    /// Every attempt of `old` is still in `new`.
    let keepsAll: Bool

    init(_ new: [TaskModel], old: [TaskModel]) {
        var found = [Int?](repeating: nil, count: new.count)
        var matched = 0
        var byId: [String: Int]?
        for i in new.indices {
            if i < old.count && old[i].taskId == new[i].taskId {
                found[i] = i
            } else {
                if byId == nil {
                    var d: [String: Int] = [:]
                    for j in old.indices { d[old[j].taskId] = j }
                    byId = d
                }
                found[i] = byId![new[i].taskId]
            }
            if found[i] != nil { matched += 1 }
        }
        oldIndex = found
        // Task ids are unique within a workflow, so matching them all means none went.
        keepsAll = matched == old.count
    }
}
