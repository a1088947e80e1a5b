export const TOPIC_PREFIX = 'tessera'
export const TOPIC_NAME = 'plan'
export const TOPIC_VERSION = '1'
/** The gossip topic plans and readiness reports are published on. */
export const PLAN_TOPIC = `${TOPIC_PREFIX}/${TOPIC_NAME}/${TOPIC_VERSION}`
export const MAX_PLAN_BYTES = 1024 * 1024
