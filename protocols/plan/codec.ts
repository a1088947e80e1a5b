// Plan announcements and readiness reports: encode, and decode hostile bytes into checked records.
// Checks here are structural (sizes, names, rows, members); the peer validates the plan against
// its model graph before using it.
import { MalformedMessageError } from '../../src/errors.js'
import { checkNumber, checkPeerId, checkShape, checkSha256, checkSize, checkString, decodeWith, MAX_DIM } from '../fields.js'
import { MAX_PLAN_BYTES, PLAN_TOPIC } from './constants.js'
import { PlanKind, PlanMessage } from './plan.js'
import type { Plan, PlanVolume } from '../../src/plan/types.js'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface MemberRecord {
  /** The device id the plan uses for the peer. */
  device: string
  peer: string
  addrs: string[]
}

export interface PlanAnnouncement {
  kind: 'plan'
  term: number
  planId: number
  members: MemberRecord[]
  plan: Plan
}

export interface ReadyReport {
  kind: 'ready'
  term: number
  planId: number
  modelSha256: string
  ok: boolean
  reason: string
}

export type PlanRecord = PlanAnnouncement | ReadyReport

/** Orders plans as a leader issues them, by term, then plan id: negative when `a` came before `b`. */
export function planOrder (a: { term: number, planId: number }, b: { term: number, planId: number }): number {
  return a.term - b.term || a.planId - b.planId
}

export function encodePlanRecord (record: PlanRecord): Uint8Array {
  if (record.kind === 'ready') {
    return PlanMessage.encode({ kind: PlanKind.READY, term: record.term, planId: record.planId, members: [], ok: record.ok, reason: record.reason, modelSha256: record.modelSha256 })
  }
  const p = record.plan
  return PlanMessage.encode({
    kind: PlanKind.PLAN,
    term: record.term,
    planId: record.planId,
    members: record.members,
    ok: true,
    reason: '',
    modelSha256: p.model.sha256,
    plan: {
      planner: p.planner,
      scenario: p.scenario ?? '',
      predictedMs: p.predictedMs,
      modelName: p.model.name,
      modelSha256: p.model.sha256,
      inputShape: p.model.inputShape,
      volumes: p.volumes.map(v => ({
        input: v.input,
        output: v.output,
        parts: v.parts.map(part => ({
          device: part.device,
          rows: { start: part.rows[0], end: part.rows[1] },
          cols: part.cols == null ? undefined : { start: part.cols[0], end: part.cols[1] }
        }))
      })),
      tailDevice: p.tail.device
    }
  })
}

function checkRange (field: string, r: { start: number, end: number } | undefined): readonly [number, number] {
  if (r == null) throw new MalformedMessageError(PLAN_TOPIC, `${field} is missing`)
  checkNumber(PLAN_TOPIC, `${field}.start`, r.start, { max: MAX_DIM, integer: true })
  checkNumber(PLAN_TOPIC, `${field}.end`, r.end, { min: r.start, max: MAX_DIM, integer: true })
  return [r.start, r.end] as const
}

/** Decodes and checks a plan-topic message; throws MalformedMessageError naming the bad field. */
export function decodePlanRecord (data: Uint8Array | Uint8ArrayList): PlanRecord {
  checkSize(PLAN_TOPIC, data, MAX_PLAN_BYTES)
  const msg = decodeWith(PLAN_TOPIC, () => PlanMessage.decode(data))
  checkNumber(PLAN_TOPIC, 'term', msg.term, { min: 1, integer: true })
  checkNumber(PLAN_TOPIC, 'planId', msg.planId, { min: 1, integer: true })
  if (msg.kind === PlanKind.READY) {
    checkSha256(PLAN_TOPIC, 'modelSha256', msg.modelSha256)
    checkString(PLAN_TOPIC, 'reason', msg.reason, { max: 1024 })
    return { kind: 'ready', term: msg.term, planId: msg.planId, modelSha256: msg.modelSha256, ok: msg.ok, reason: msg.reason }
  }
  if (msg.kind !== PlanKind.PLAN) {
    throw new MalformedMessageError(PLAN_TOPIC, `kind must be PLAN or READY, got ${String(msg.kind)}`)
  }
  const body = msg.plan
  if (body == null) throw new MalformedMessageError(PLAN_TOPIC, 'plan is missing')
  const devices = new Set<string>()
  const peers = new Set<string>()
  msg.members.forEach((m, i) => {
    checkString(PLAN_TOPIC, `members[${i}].device`, m.device, { min: 1 })
    checkPeerId(PLAN_TOPIC, `members[${i}].peer`, m.peer)
    if (devices.has(m.device)) throw new MalformedMessageError(PLAN_TOPIC, `members[${i}].device "${m.device}" listed twice`)
    if (peers.has(m.peer)) throw new MalformedMessageError(PLAN_TOPIC, `members[${i}].peer ${m.peer} listed twice`)
    devices.add(m.device)
    peers.add(m.peer)
    m.addrs.forEach((a, j) => { checkString(PLAN_TOPIC, `members[${i}].addrs[${j}]`, a, { min: 1, max: 512 }) })
  })
  if (devices.size === 0) throw new MalformedMessageError(PLAN_TOPIC, 'members is empty')
  checkString(PLAN_TOPIC, 'plan.planner', body.planner, { min: 1, max: 64 })
  checkString(PLAN_TOPIC, 'plan.scenario', body.scenario)
  if (body.predictedMs != null) checkNumber(PLAN_TOPIC, 'plan.predictedMs', body.predictedMs)
  checkString(PLAN_TOPIC, 'plan.modelName', body.modelName, { min: 1 })
  checkSha256(PLAN_TOPIC, 'plan.modelSha256', body.modelSha256)
  checkShape(PLAN_TOPIC, 'plan.inputShape', body.inputShape)
  const volumes: PlanVolume[] = body.volumes.map((v, i) => {
    const f = `plan.volumes[${i}]`
    checkString(PLAN_TOPIC, `${f}.input`, v.input, { min: 1, max: 1024 })
    checkString(PLAN_TOPIC, `${f}.output`, v.output, { min: 1, max: 1024 })
    if (v.parts.length === 0) throw new MalformedMessageError(PLAN_TOPIC, `${f}.parts is empty`)
    return {
      input: v.input,
      output: v.output,
      parts: v.parts.map((p, j) => {
        const pf = `${f}.parts[${j}]`
        if (!devices.has(p.device)) throw new MalformedMessageError(PLAN_TOPIC, `${pf}.device "${p.device.slice(0, 80)}" is not a member`)
        const rows = checkRange(`${pf}.rows`, p.rows)
        return p.cols == null ? { device: p.device, rows } : { device: p.device, rows, cols: checkRange(`${pf}.cols`, p.cols) }
      })
    }
  })
  if (!devices.has(body.tailDevice)) throw new MalformedMessageError(PLAN_TOPIC, `plan.tailDevice "${body.tailDevice.slice(0, 80)}" is not a member`)
  const plan: Plan = {
    planner: body.planner,
    ...(body.scenario !== '' ? { scenario: body.scenario } : {}),
    ...(body.predictedMs != null ? { predictedMs: body.predictedMs } : {}),
    model: { name: body.modelName, sha256: body.modelSha256, inputShape: [...body.inputShape] },
    volumes,
    tail: { device: body.tailDevice }
  }
  return { kind: 'plan', term: msg.term, planId: msg.planId, members: msg.members.map(m => ({ device: m.device, peer: m.peer, addrs: [...m.addrs] })), plan }
}
