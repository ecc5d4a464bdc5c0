import Foundation

/// Checks the `Authorization` header: `ApiKey <credential>` or `OAuth <credential>` (either
/// scheme, any case). With a configured token the credential must equal it; without one any
/// non-empty credential passes. Failures answer 401 `AUTHENTICATION_ERROR`. The credential names
/// the client whose rate-limit buckets the request draws on.
struct Authentication: PipelineStage {
    /// The credential clients must send; nil accepts any.
    let token: String?

    func respond(to exchange: inout Exchange, next: (inout Exchange) throws -> EmulatorResponse) throws -> EmulatorResponse {
        exchange.client = try credential(exchange.request)
        return try next(&exchange)
    }

    func credential(_ request: EmulatorRequest) throws(APIError) -> String {
        guard let header = request.headers["authorization"]?.trimmingCharacters(in: .whitespaces), !header.isEmpty else {
            throw APIError(401, "AUTHENTICATION_ERROR", "Authentication required: send the header Authorization: ApiKey <key> or OAuth <token>")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, ["apikey", "oauth"].contains(parts[0].lowercased()) else {
            throw APIError(401, "AUTHENTICATION_ERROR", "Unsupported authorization scheme; expected ApiKey or OAuth")
        }
        let credential = String(parts[1]).trimmingCharacters(in: .whitespaces)
        guard !credential.isEmpty, token == nil || token == credential else {
            throw APIError(401, "AUTHENTICATION_ERROR", "Invalid credentials")
        }
        return credential
    }
}
