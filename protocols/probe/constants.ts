export const PROTOCOL_PREFIX = 'tessera'
export const PROTOCOL_NAME = 'probe'
export const PROTOCOL_VERSION = '1.0.0'
/** The bandwidth probe protocol id. */
export const PROBE_PROTOCOL = `/${PROTOCOL_PREFIX}/${PROTOCOL_NAME}/${PROTOCOL_VERSION}`
/** Largest probe a listener accepts: bounds what one probe costs it. */
export const MAX_PROBE_BYTES = 8 * 1024 * 1024
/** Largest ProbeRequest / ProbeReply. */
export const MAX_PROBE_MESSAGE_BYTES = 32
/** Probes one stream may carry. */
export const MAX_PROBES_PER_STREAM = 64
