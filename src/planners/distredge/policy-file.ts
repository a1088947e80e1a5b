// The policy file: a trained actor and critic with what they were trained for, as JSON. Network parameters
// are little-endian float64 arrays in base64 (docs/distredge.md describes every field).
import { readFileSync, writeFileSync } from 'node:fs'
import { z } from 'zod'
import { InvalidInputError } from '../../errors.js'
import { formatIssues } from '../../sim/schema-errors.js'
import type { DdpgWeights } from './ddpg.js'
import type { DenseNetworkSpec } from './nn/dense-network.js'

export const POLICY_FORMAT = 'tessera-distredge-policy'
export const POLICY_VERSION = 1

export interface PolicyFile {
  model: { name: string, sha256: string }
  /** Provider ids in the order the agent's state and action use. */
  devices: string[]
  /** The partition the agent split (cut tensors, graph.input first). */
  cuts: string[]
  weights: DdpgWeights
  /** The best split decisions seen while training, and their simulated latency. */
  best: { latencyMs: number, splits: number[][] }
}

const activation = z.enum(['relu', 'tanh', 'linear'])
const network = z.strictObject({
  sizes: z.array(z.number().int().positive()).min(2),
  hidden: activation,
  output: activation,
  params: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, { error: 'expected base64' })
})
const PolicySchema = z.strictObject({
  format: z.literal(POLICY_FORMAT, { error: `expected "${POLICY_FORMAT}"` }),
  version: z.literal(POLICY_VERSION, { error: `expected ${POLICY_VERSION} (this Tessera reads version ${POLICY_VERSION} policy files)` }),
  model: z.strictObject({ name: z.string(), sha256: z.string() }),
  devices: z.array(z.string()).min(2),
  cuts: z.array(z.string()).min(2),
  actor: network,
  critic: network,
  best: z.strictObject({ latencyMs: z.number().positive(), splits: z.array(z.array(z.number().int().nonnegative())) })
})

function encode (params: Float64Array): string {
  const bytes = new Uint8Array(params.length * 8)
  const view = new DataView(bytes.buffer)
  params.forEach((p, i) => view.setFloat64(i * 8, p, true))
  return Buffer.from(bytes).toString('base64')
}

function decode (text: string, spec: DenseNetworkSpec, what: string, source: string): Float64Array {
  const bytes = Buffer.from(text, 'base64')
  let expected = 0
  for (let i = 0; i + 1 < spec.sizes.length; i++) expected += (spec.sizes[i] + 1) * spec.sizes[i + 1]
  if (bytes.length !== expected * 8) throw new InvalidInputError(`${source}: ${what}.params holds ${bytes.length / 8} numbers, the ${spec.sizes.join('-')} network needs ${expected}`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out = new Float64Array(expected)
  for (let i = 0; i < expected; i++) out[i] = view.getFloat64(i * 8, true)
  if (!out.every(Number.isFinite)) throw new InvalidInputError(`${source}: ${what}.params holds a non-finite number`)
  return out
}

/** The JSON text of a policy file. */
export function policyToJson (policy: PolicyFile): string {
  const net = (w: DdpgWeights['actor']): object => ({ sizes: w.spec.sizes, hidden: w.spec.hidden, output: w.spec.output, params: encode(w.params) })
  return JSON.stringify({
    format: POLICY_FORMAT,
    version: POLICY_VERSION,
    model: policy.model,
    devices: policy.devices,
    cuts: policy.cuts,
    actor: net(policy.weights.actor),
    critic: net(policy.weights.critic),
    best: policy.best
  }) + '\n'
}

/** Parses and checks a policy file's JSON; InvalidInputError naming the bad key otherwise. */
export function parsePolicy (json: unknown, source = 'policy'): PolicyFile {
  const parsed = PolicySchema.safeParse(json)
  if (!parsed.success) throw new InvalidInputError(`${source}: ${formatIssues(parsed.error)}`)
  const p = parsed.data
  const spec = (n: typeof p.actor): DenseNetworkSpec => ({ sizes: n.sizes, hidden: n.hidden, output: n.output })
  const d = p.devices.length
  if (p.actor.sizes[0] !== d + 4 || p.actor.sizes[p.actor.sizes.length - 1] !== d - 1) {
    throw new InvalidInputError(`${source}: actor.sizes ${p.actor.sizes.join('-')} does not fit ${d} devices (input ${d + 4}, output ${d - 1})`)
  }
  if (p.critic.sizes[0] !== 2 * d + 3 || p.critic.sizes[p.critic.sizes.length - 1] !== 1) {
    throw new InvalidInputError(`${source}: critic.sizes ${p.critic.sizes.join('-')} does not fit ${d} devices (input ${2 * d + 3}, output 1)`)
  }
  if (p.best.splits.length !== p.cuts.length - 1 || p.best.splits.some(b => b.length !== d + 1)) {
    throw new InvalidInputError(`${source}: best.splits must hold ${p.cuts.length - 1} volumes of ${d + 1} boundaries`)
  }
  return {
    model: p.model,
    devices: p.devices,
    cuts: p.cuts,
    weights: {
      actor: { spec: spec(p.actor), params: decode(p.actor.params, spec(p.actor), 'actor', source) },
      critic: { spec: spec(p.critic), params: decode(p.critic.params, spec(p.critic), 'critic', source) }
    },
    best: p.best
  }
}

export function writePolicyFile (path: string, policy: PolicyFile): void {
  writeFileSync(path, policyToJson(policy))
}

export function readPolicyFile (path: string): PolicyFile {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new InvalidInputError(`cannot read policy file ${path}: ${(err as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new InvalidInputError(`policy file ${path} is not JSON: ${(err as Error).message}`)
  }
  return parsePolicy(json, path)
}
