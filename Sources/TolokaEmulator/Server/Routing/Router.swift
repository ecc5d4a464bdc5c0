/// Finds the route for a request's method and path.
///
/// Routes are tried in table order; the first whose method and path pattern both fit wins. A path
/// that fits some route's pattern but none with the request's method answers 405
/// `METHOD_NOT_ALLOWED`; a path that fits no pattern answers 404 `DOES_NOT_EXIST`.
struct Router: Sendable {
    let routes: [Route]

    /// A route chosen for a request, with its parameters' raw values.
    struct Match {
        let route: Route
        let values: [String]
    }

    init(_ routes: [Route]) { self.routes = routes }

    /// The route for `request`, or the 404 or 405 error to answer.
    func resolve(_ request: EmulatorRequest) -> Result<Match, APIError> {
        let path = request.path.split(separator: "/")
        var pathKnown = false
        for route in routes {
            guard let values = route.pattern.captures(path) else { continue }
            guard route.method.rawValue == request.method else {
                pathKnown = true
                continue
            }
            return .success(Match(route: route, values: values))
        }
        if pathKnown { return .failure(APIError(405, "METHOD_NOT_ALLOWED", "Method \(request.method) is not allowed for \(request.path)")) }
        return .failure(APIError(404, "DOES_NOT_EXIST", "Resource \(request.path) does not exist"))
    }
}
