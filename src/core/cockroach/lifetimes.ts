/** Certificate lifetimes: cockroach cert's defaults (10×366 days for a CA, 5×366 days for node and client certs). */

const HOUR_MS = 3_600_000;

/** `cockroach cert create-ca` / `create-client-ca` --lifetime default, in hours (87840h). */
export const DEFAULT_CA_LIFETIME_HOURS = 87_840;
/** `cockroach cert create-node` / `create-client` --lifetime default, in hours (43920h). */
export const DEFAULT_CERT_LIFETIME_HOURS = 43_920;

export const DEFAULT_CA_LIFETIME_MS = DEFAULT_CA_LIFETIME_HOURS * HOUR_MS;
export const DEFAULT_CERT_LIFETIME_MS = DEFAULT_CERT_LIFETIME_HOURS * HOUR_MS;

/** The defaults as --lifetime flags ("87840h", "43920h"). */
export const DEFAULT_CA_LIFETIME = `${DEFAULT_CA_LIFETIME_HOURS}h`;
export const DEFAULT_CERT_LIFETIME = `${DEFAULT_CERT_LIFETIME_HOURS}h`;
