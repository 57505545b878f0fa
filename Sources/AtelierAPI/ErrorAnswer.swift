import AtelierStore
import Hummingbird
import Logging
import NIOCore

/// Turns every error a route throws into the contract's `{"error": ...}` answer: the route's
/// own `APIError`s as they are, the store's `busy` and `unavailable` as 503, an unknown route
/// as 404 and an oversize body as 413. Anything else is a bug of ours: logged, and answered
/// with a 500 that names no internals.
enum ErrorAnswer {
    static func response(to error: any Error, of request: Request, logger: Logger) -> Response {
        let apiError = translate(error, request: request)
        if apiError.status == .internalServerError {
            logger.error("request failed: \(request.method) \(request.uri.path): \(String(reflecting: error))")
        } else if apiError.status == .serviceUnavailable {
            // Outages are logged once per change of state by `DatabasePool`, not per request.
            logger.debug("503: \(request.method) \(request.uri.path): \(error)")
        }
        return .error(apiError)
    }

    private static func translate(_ error: any Error, request: Request) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case StoreError.unavailable:
            return .databaseUnavailable
        case StoreError.busy:
            return .databaseBusy
        case is NIOTooManyBytesError:
            return .bodyTooLarge
        case let error as HTTPError where error.status == .notFound:
            return .notFound("no route for \(request.method) \(request.uri.path)")
        case let error as HTTPError:
            return APIError(error.status, error.body ?? error.status.reasonPhrase)
        default:
            return APIError(.internalServerError, "internal error")
        }
    }
}
