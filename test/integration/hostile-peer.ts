// Run inside a test namespace: dials a peer and sends it malformed input on every protocol and gossip
// topic (garbage, oversized length prefixes, headers that lie about their payload, a slice of the
// wrong shape, a plan from a non-leader). Prints one JSON line: what each attempt did.
import '../../src/polyfill.js'
import { multiaddr } from '@multiformats/multiaddr'
import { createMeshNode } from '../../peer/node.js'
import { encodeLength } from '../../protocols/framing/stream-writer.js'
import { CAPS_TOPIC } from '../../protocols/caps/constants.js'
import { ELECTION_TOPIC } from '../../protocols/election/constants.js'
import { INFER_PROTOCOL } from '../../protocols/infer/constants.js'
import { InferRequest, InferDType } from '../../protocols/infer/infer.js'
import { LINKS_TOPIC } from '../../protocols/links/constants.js'
import { MODEL_PROTOCOL } from '../../protocols/model/constants.js'
import { encodePlanRecord } from '../../protocols/plan/codec.js'
import { PLAN_TOPIC } from '../../protocols/plan/constants.js'
import { PROBE_PROTOCOL } from '../../protocols/probe/constants.js'
import { encodeTensorHeader } from '../../protocols/tensor/codec.js'
import { TENSOR_PROTOCOL } from '../../protocols/tensor/constants.js'

const [target, listen] = process.argv.slice(2)
const node = await createMeshNode({ listen: [listen], mdns: false })
const peer = multiaddr(target)
const results: Record<string, string> = {}

function lp (bytes: Uint8Array): Uint8Array {
  const prefix = encodeLength(bytes.byteLength)
  const out = new Uint8Array(prefix.byteLength + bytes.byteLength)
  out.set(prefix)
  out.set(bytes, prefix.byteLength)
  return out
}

async function attempt (name: string, protocol: string, chunks: Uint8Array[]): Promise<void> {
  try {
    const stream = await node.dialProtocol(peer, protocol, { signal: AbortSignal.timeout(5000) })
    for (const c of chunks) stream.send(c)
    await stream.close({ signal: AbortSignal.timeout(5000) }).catch((err: Error) => { process.stderr.write(`close: ${err.message}\n`) })
    const outcome = await new Promise<string>((resolve) => {
      const t = setTimeout(() => resolve('no answer in 5 s'), 5000)
      stream.addEventListener('close', (e) => { clearTimeout(t); resolve(e.error != null ? `closed: ${e.error.name}` : 'closed') })
      stream.addEventListener('message', () => {})
    })
    results[name] = outcome
  } catch (err: any) {
    results[name] = `error: ${err?.name as string}`
  }
}

const garbage = crypto.getRandomValues(new Uint8Array(4096))
const huge = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f])
const sliceHeader = encodeTensorHeader({
  kind: 'slice', requestId: 'hostile', term: 1, planId: 1, volume: 0, part: 0, tensor: 'input', rows: [0, 4], cols: [0, 4],
  shape: [1, 3, 4, 4], data: new Float32Array(48), trace: [], requester: node.peerId.toString()
})
const lyingInfer = InferRequest.encode({ requestId: 'hostile', modelSha256: '', modelName: 'resnet18', dtype: InferDType.INFER_FLOAT32, shape: [1, 3, 64, 64], byteLength: 12 })

for (const [protocol, short] of [[TENSOR_PROTOCOL, 'tensor'], [PROBE_PROTOCOL, 'probe'], [MODEL_PROTOCOL, 'model'], [INFER_PROTOCOL, 'infer']] as const) {
  await attempt(`${short}: garbage`, protocol, [garbage])
  await attempt(`${short}: oversized length prefix`, protocol, [huge, garbage])
  await attempt(`${short}: truncated message`, protocol, [Uint8Array.from([0x40, 1, 2, 3])])
}
// a slice whose header says 48 floats but whose plan does not exist / whose shape is wrong
await attempt('tensor: slice for an unknown plan', TENSOR_PROTOCOL, [lp(sliceHeader), new Uint8Array(48 * 4)])
await attempt('tensor: payload shorter than declared', TENSOR_PROTOCOL, [lp(sliceHeader), new Uint8Array(10)])
await attempt('infer: byte length not matching the shape', INFER_PROTOCOL, [lp(lyingInfer), new Uint8Array(12)])
await attempt('probe: probe larger than allowed', PROBE_PROTOCOL, [lp(Uint8Array.from([0x08, 0xff, 0xff, 0xff, 0xff, 0x0f]))])

// protocol versions the peer does not speak are refused at negotiation
for (const id of ['/tessera/tensor/2.0.0', '/tessera/infer/0.9.0']) await attempt(`unknown version ${id}`, id, [garbage])

// gossip: junk on every topic, and a plan from a peer that is not the leader
const pubsub = node.services.pubsub
for (const topic of [CAPS_TOPIC, LINKS_TOPIC, PLAN_TOPIC, ELECTION_TOPIC]) pubsub.subscribe(topic)
await new Promise(resolve => setTimeout(resolve, 2500))
for (const topic of [CAPS_TOPIC, LINKS_TOPIC, PLAN_TOPIC, ELECTION_TOPIC]) {
  try {
    await pubsub.publish(topic, garbage)
    results[`gossip ${topic}: garbage`] = 'published'
  } catch (err: any) {
    results[`gossip ${topic}: garbage`] = `error: ${err?.name as string}`
  }
}
const fakePlan = encodePlanRecord({
  kind: 'plan', term: 1_000_000, planId: 1, members: [{ device: 'evil', peer: node.peerId.toString(), addrs: [] }],
  plan: { planner: 'offload', model: { name: 'resnet18', sha256: '0'.repeat(64), inputShape: [1, 3, 64, 64] }, volumes: [], tail: { device: 'evil' } }
})
await pubsub.publish(PLAN_TOPIC, fakePlan).then(() => { results['gossip plan from a non-leader'] = 'published' }, (err: Error) => { results['gossip plan from a non-leader'] = `error: ${err.name}` })
await new Promise(resolve => setTimeout(resolve, 1000))
process.stdout.write(JSON.stringify(results) + '\n')
await node.stop()
process.exit(0)
