export const PROTOCOL_PREFIX = 'tessera'
export const PROTOCOL_NAME = 'model'
export const PROTOCOL_VERSION = '1.0.0'
/** The model distribution protocol id. */
export const MODEL_PROTOCOL = `/${PROTOCOL_PREFIX}/${PROTOCOL_NAME}/${PROTOCOL_VERSION}`
/** Largest ModelRequest / ModelReply. */
export const MAX_MODEL_MESSAGE_BYTES = 1024
/** Default largest model a peer accepts, bytes. */
export const DEFAULT_MAX_MODEL_BYTES = 2 * 1024 * 1024 * 1024
