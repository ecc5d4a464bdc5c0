import TallyCore

/// An error the API answers with: Toloka's body `{request_id, code, message, payload}` and an HTTP status.
struct APIError: Error {
    var status: Int
    var code: String
    var message: String
    var payload: JSONValue?
    var headers: [(String, String)] = []

    init(_ status: Int, _ code: String, _ message: String, payload: JSONValue? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.payload = payload
    }

    static func validation(_ fields: [String: FieldError], message: String = "Validation failed") -> APIError {
        APIError(400, "VALIDATION_ERROR", message, payload: .object(fields.mapValues(\.json)))
    }

    static func validation(_ path: String, _ code: String, _ message: String) -> APIError {
        validation([path: FieldError(code, message)])
    }

    static func notFound(_ what: String, _ id: String) -> APIError {
        APIError(404, "DOES_NOT_EXIST", "\(what) with id \(id) does not exist")
    }

    static func inappropriateStatus(_ appropriate: [String]) -> APIError {
        APIError(409, "INAPPROPRIATE_STATUS", "This or related resource is in inappropriate status, operation is not allowed",
                 payload: ["appropriate_statuses": .array(appropriate.map(JSONValue.string))])
    }

    func body(requestID: String) -> JSONValue {
        var o: [String: JSONValue] = ["request_id": .string(requestID), "code": .string(code), "message": .string(message)]
        if let payload { o["payload"] = payload }
        return .object(o)
    }
}

/// One field's validation error: `{code, message, params?}`.
struct FieldError {
    var code: String
    var message: String
    var params: JSONValue?

    init(_ code: String, _ message: String, params: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.params = params
    }

    var json: JSONValue {
        var o: [String: JSONValue] = ["code": .string(code), "message": .string(message)]
        if let params { o["params"] = params }
        return .object(o)
    }

    static let required = FieldError("VALUE_REQUIRED", "Value must be present and not equal to null")
    static let unknownField = FieldError("VALUE_NOT_ALLOWED", "Unknown field name")
    static let string = FieldError("STRING_EXPECTED", "String value expected")
    static let integer = FieldError("INTEGER_EXPECTED", "Integer value expected")
    static let float = FieldError("FLOAT_EXPECTED", "Float value expected")
    static let boolean = FieldError("BOOLEAN_EXPECTED", "Boolean value expected")
    static let object = FieldError("OBJECT_EXPECTED", "Object value expected")
    static let array = FieldError("ARRAY_EXPECTED", "Array value expected")
    static let url = FieldError("INVALID_URL_SYNTAX", "Value must be a valid URL")
    static let date = FieldError("DATE_TIME_EXPECTED", "Date-time value expected in format yyyy-MM-ddTHH:mm:ss[.SSS]")
    static func min(_ m: Double) -> FieldError { FieldError("VALUE_LESS_THAN_MIN", "Value must be greater than or equal to \(fmt(m))", params: [.double(m)]) }
    static func max(_ m: Double) -> FieldError { FieldError("VALUE_GREATER_THAN_MAX", "Value must be less than or equal to \(fmt(m))", params: [.double(m)]) }
    static func doesNotExist(_ what: String) -> FieldError { FieldError("DOES_NOT_EXIST", "\(what) does not exist") }

    private static func fmt(_ v: Double) -> String { v.rounded() == v ? String(Int64(v)) : String(v) }
}
