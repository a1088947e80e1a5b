export const TOPIC_PREFIX = 'tessera'
export const TOPIC_NAME = 'caps'
export const TOPIC_VERSION = '1'
/** The gossip topic capabilities are published on. */
export const CAPS_TOPIC = `${TOPIC_PREFIX}/${TOPIC_NAME}/${TOPIC_VERSION}`
/** Largest capabilities record accepted (profiles included). */
export const MAX_CAPS_BYTES = 1024 * 1024
/** Largest profile carried for one model. */
export const MAX_PROFILE_BYTES = 256 * 1024
