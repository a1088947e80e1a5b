export const PROTOCOL_PREFIX = 'tessera'
export const PROTOCOL_NAME = 'infer'
export const PROTOCOL_VERSION = '1.0.0'
/** The inference request protocol id. */
export const INFER_PROTOCOL = `/${PROTOCOL_PREFIX}/${PROTOCOL_NAME}/${PROTOCOL_VERSION}`
/** Largest InferRequest / InferResponse header. */
export const MAX_INFER_HEADER_BYTES = 1024 * 1024
/** Default largest input (or output) tensor, bytes. */
export const DEFAULT_MAX_INFER_TENSOR_BYTES = 256 * 1024 * 1024
