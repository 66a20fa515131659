// How far two hosts' clocks may disagree before a time one of them wrote is refused by another: one
// value for every check of a time that came from elsewhere (runtime tokens' iat/nbf/exp, a provider's ID
// token, a refresh lease another worker process wrote), so "1 s ahead" never fails one check and passes
// another.

/**
 * Accepted clock difference between hosts, in seconds. NTP keeps servers within milliseconds; a minute
 * covers a host whose sync has drifted or just restarted, while staying small next to a runtime token's
 * 15-minute life. Documented in README ("Clock skew").
 */
export const CLOCK_TOLERANCE_SECONDS = 60;
