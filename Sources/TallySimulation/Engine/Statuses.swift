/// An assignment's (task suite's) status, in `tally simulate` and in the Toloka emulator.
///
/// The API calls an accepted assignment `ACCEPTED` (``apiName``), the TSV export `APPROVED` (``exportName``).
public enum AssignmentStatus: UInt8, Sendable, CaseIterable {
    case active, submitted, accepted, rejected, skipped, expired

    /// The status as the export (`export.tsv`, `ASSIGNMENT:status`) writes it.
    public var exportName: String {
        switch self {
        case .accepted: return "APPROVED"
        default: return apiName
        }
    }

    /// The status as the API writes it (`GET /assignments`).
    public var apiName: String {
        switch self {
        case .active: return "ACTIVE"
        case .submitted: return "SUBMITTED"
        case .accepted: return "ACCEPTED"
        case .rejected: return "REJECTED"
        case .skipped: return "SKIPPED"
        case .expired: return "EXPIRED"
        }
    }

    /// The status of an API name (`ACCEPTED`) or export name (`APPROVED`); nil for anything else.
    public init?(name: String) {
        if name == "APPROVED" { self = .accepted; return }
        guard let s = Self.allCases.first(where: { $0.apiName == name }) else { return nil }
        self = s
    }
}

/// Why a pool closed (`last_close_reason`), in `tally simulate` and in the Toloka emulator.
public enum PoolCloseReason: String, Sendable, Codable {
    /// Every general task got its answers and no suite is active.
    case completed = "COMPLETED"
    /// `will_expire` (or the simulation's maximum duration) was reached.
    case expired = "EXPIRED"
    /// The requester closed it (`POST /pools/{id}/close`; emulator only).
    case manual = "MANUAL"
    /// Not closed: `tally simulate`'s summary when the run ended with the pool still open.
    case open = "OPEN"
}
