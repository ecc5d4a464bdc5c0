import Foundation
import TallyCore

/// An object that belongs to a project and is created closed, then opened: a ``Pool`` or a
/// ``Training``. Both are created, made idempotent by a creation key and listed the same way.
protocol ProjectObject: TolokaObject {
    /// The project the object belongs to.
    var projectID: String { get }
    /// Free-form metadata: key → values (where the creation key goes).
    var metadata: [String: [String]]? { get set }
    /// The object as sent on creation: read-only fields left out.
    func creationJSON() throws -> JSONValue
}

extension Pool: ProjectObject {}
extension Training: ProjectObject {}

extension TolokaAPIClient {
    /// `POST path` of `object`, returned with its `id`. With a `key`, the create is idempotent as
    /// ``createProject(_:key:listedAfter:)`` is: the key goes into the object's `metadata`, and a
    /// lost answer is settled by looking for it among the objects of its project before sending again.
    func createProjectObject<T: ProjectObject>(_ object: T, at path: String, key: String?) async throws -> T {
        guard let key else { return try decodePreserving(try await send("POST", path, body: object.creationJSON())) }
        var keyed = object
        keyed.metadata = Self.adding(key, to: object.metadata)
        return try await createOnce(path, body: keyed.creationJSON()) {
            let existing: [T] = try await projectObjects(at: path, projectID: object.projectID)
            return existing.last { Self.carries($0.metadata, key) }
        }
    }

    /// `POST path/{id}/{action}` (`open`, `close`) on a pool or a training (`noun`): waits for the
    /// operation it starts (a 204 means the object is so already), throws `.operationFailed`
    /// when the operation fails, then reads the object again with `read`. `settle` decides a
    /// request whose answer was lost (see ``sendRaw(_:_:query:body:settle:)``).
    func projectObjectAction<T>(_ noun: String, at path: String, id: String, action: String,
                                settle: (() async throws -> HTTPResponse?)?, read: (String) async throws -> T) async throws -> T {
        let actionPath = "\(path)/\(escaped(id))/\(action)"
        let r = try await sendRaw("POST", actionPath, settle: settle)
        if r.status != 204, !r.body.isEmpty {
            let op = try decode(TolokaOperation.self, r.body, "POST /\(actionPath)")
            let done = try await waitForOperation(op)
            guard done.succeeded else {
                throw TolokaError(kind: .operationFailed, code: done.type, message: "\(noun) \(action) operation \(done.id) ended in \(done.status): \(done.details?.serialized(numbers: .python) ?? "")")
            }
        }
        return try await read(id)
    }

    /// Every object at `path` (`v1/pools`, `v1/trainings`) of project `projectID` matching
    /// `query`, in id order.
    func projectObjects<T: TolokaObject>(at path: String, projectID: String, query: [String: String] = [:]) async throws -> [T] {
        var q = query
        q["project_id"] = projectID
        var out: [T] = []
        try await forEachPage(path, query: q) { (page: [JSONValue]) in
            out += try page.map { try T.decodePreservingUnknownFields($0) }
        }
        return out
    }
}
