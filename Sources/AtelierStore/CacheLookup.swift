/// What `APIDatabase.lookUp(_:)` found for a cached statement.
package enum CacheLookup: Equatable {
    /// The cache's answer.
    case hit(ResponseCache.Answer)
    /// Not in the cache (or ruled out of it): the query goes by this route.
    case miss(ReadRouter.Route)
}
