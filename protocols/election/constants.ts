export const TOPIC_PREFIX = 'tessera'
export const TOPIC_NAME = 'election'
export const TOPIC_VERSION = '1'
/** The gossip topic election messages are published on. */
export const ELECTION_TOPIC = `${TOPIC_PREFIX}/${TOPIC_NAME}/${TOPIC_VERSION}`
export const MAX_ELECTION_BYTES = 1024
