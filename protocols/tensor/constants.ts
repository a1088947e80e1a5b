export const PROTOCOL_PREFIX = 'tessera'
export const PROTOCOL_NAME = 'tensor'
export const PROTOCOL_VERSION = '1.0.0'
/** The tensor streaming protocol id. */
export const TENSOR_PROTOCOL = `/${PROTOCOL_PREFIX}/${PROTOCOL_NAME}/${PROTOCOL_VERSION}`
/** Largest frame header accepted. */
export const MAX_HEADER_BYTES = 256 * 1024
/** Default largest tensor payload accepted (one frame). */
export const DEFAULT_MAX_TENSOR_BYTES = 512 * 1024 * 1024
/** Longest request id. */
export const MAX_REQUEST_ID_LENGTH = 64
/** Bytes per float32 element. */
export const FLOAT32_BYTES = 4
