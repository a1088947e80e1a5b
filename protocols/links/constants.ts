export const TOPIC_PREFIX = 'tessera'
export const TOPIC_NAME = 'links'
export const TOPIC_VERSION = '1'
/** The gossip topic link measurements are published on. */
export const LINKS_TOPIC = `${TOPIC_PREFIX}/${TOPIC_NAME}/${TOPIC_VERSION}`
export const MAX_LINKS_BYTES = 64 * 1024
/** Highest bandwidth a link may report (100 Gbps). */
export const MAX_LINK_MBPS = 100_000
