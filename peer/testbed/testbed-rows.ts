// A testbed row: one planner on one scenario, its prediction beside what was measured, pooled over
// the rounds it was measured in.
import { errorFunction, wilcoxonRankSum } from 'simple-statistics'
import { median, percentile, predictionError } from '../../src/stats.js'
import type { Plan } from '../../src/plan/types.js'

export interface TestbedRow {
  scenario: string
  planner: string
  /** The simulator's latency for the served plan on the scenario the leader planned with (gossiped profiles and probed links). */
  predictedMs: number
  /** Median and p95 of the mesh-side latency (the leader receiving the input to it holding the output), as the simulator counts it. */
  measuredMedianMs: number
  measuredP95Ms: number
  /** |measured median - predicted| / measured median. */
  predictionError: number
  /** The simulator's latency for the same plan on the scenario file's own links (the caps) with the peers' measured profiles. */
  nominalMs: number
  /**
   * The compute of every part and the tail summed per request, measured / as the profiles predict it
   * (median over the requests, then over the rounds): how much of an error is compute; the rest is waiting.
   */
  computeRatio: number
  /** The same for the onnxruntime runs alone, timed in the compute threads: computeRatio less this is the hand-over to those threads and back. */
  runRatio: number
  /** Median latency seen by the requester (adds sending the input to the leader and the output back). */
  clientMedianMs: number
  /** Timed requests. */
  requests: number
  /** The plan served: term.planId, its planner, and the devices it uses. */
  plan: string
  servedBy: string
  devices: string[]
  leader: string
  /** Whether every result equalled a whole-model run (null: not checked). */
  verified: boolean | null
  /** Each round's plan, prediction and measured median (one entry without --rounds). */
  rounds: Array<{ plan: string, predictedMs: number, measuredMedianMs: number }>
  /** Set when a round's requests ran while the leader planned (kept on the last attempt): what planned, and why. */
  replanned?: string
  /** Each device's CPU over the requests (median over the rounds; empty with a single request): see DeviceCpu. */
  cpu: Record<string, DeviceCpu>
  /**
   * Each device's speed against its cached profile (the whole model's time now / then, median over the
   * rounds; the tables were scaled by it); a device that measured its profile in the run is absent.
   */
  speed: Record<string, number>
  /**
   * Each device's service factor the timed plan was made with (the leader's measure of its parts in the
   * untimed requests against its tables, median over the rounds; peer/planning/service-speeds.ts); a device
   * the leader kept at its profile is absent.
   */
  service: Record<string, number>
  /**
   * Planners of the scenario that served the same plan (the same volumes, rows and devices in every round)
   * share a letter, "A" for the first such plan measured: a plan measured twice is one plan measured with
   * more requests, and a difference between its rows is the machine's noise, not the planners'.
   */
  samePlan: string
  /** The median over every request of the rows that share this row's plan: what ranks the plans. */
  planMedianMs: number
  /**
   * How likely requests this slow or slower were, were this row's plan no slower than the scenario's
   * fastest (one-sided Mann-Whitney U over both plans' pooled requests; 1 for the fastest plan): under
   * 0.05 the plan measured slower, at or above it the two are not told apart by this run (`tiedPlanners`).
   */
  slowerP: number
}

/**
 * What a device's peer process (every thread: the event loop, the compute thread, the runtime's own) used
 * of its CPU while the requests ran, from the end of the first (warm-up) request to the end of the last:
 * ms per request, and the share of its quota over that time. A device near 1 is saturated: its work
 * queues and its latency swings with whatever else runs.
 */
export interface DeviceCpu {
  msPerRequest: number
  quotaUse: number
}

/** One measurement of one planner: the plan served and its timed requests. */
export interface TestbedSample {
  predictedMs: number
  nominalMs: number
  /** Summed compute per request, measured / predicted (median over the requests). */
  computeRatio: number
  /** Summed onnxruntime runs per request / predicted compute (median over the requests). */
  runRatio: number
  /** Mesh-side ms of each timed request. */
  servedMs: number[]
  /** Requester-side ms of each timed request. */
  clientMs: number[]
  plan: string
  /** The plan's volumes, their parts' rows and devices, and the tail's device (planLayout). */
  layout: string
  servedBy: string
  devices: string[]
  leader: string
  verified: boolean | null
  /** The leader planned during the requests (the last attempt keeps such a run): who, and why. */
  replanned?: string
  cpu: Record<string, DeviceCpu>
  /** Each device's speed factor against its cached profile (TestbedRow.speed). */
  speed: Record<string, number>
  /** Each device's service factor the plan was made with (TestbedRow.service). */
  service: Record<string, number>
}

/**
 * What a plan computes where: its volumes with their non-empty parts (device, rows, columns) and the
 * tail's device. Two plans with the same layout run the same requests the same way, whatever planner,
 * term or plan id made them.
 */
export function planLayout (plan: Plan): string {
  return JSON.stringify({
    volumes: plan.volumes.map(v => [v.input, v.output, v.parts.filter(p => p.rows[1] > p.rows[0]).map(p => [p.device, p.rows, p.cols ?? null])]),
    tail: plan.tail.device
  })
}

/**
 * A scenario's rows from each planner's samples (rounds, requests pooled), with the planners that
 * served the same plan grouped (samePlan) and each group's pooled median (planMedianMs).
 */
export function scenarioRows (scenario: string, samples: ReadonlyMap<string, readonly TestbedSample[]>): TestbedRow[] {
  const letters = new Map<string, string>()
  const pooled = new Map<string, number[]>()
  // a planner whose rounds served different plans groups with no other
  const keyed = [...samples].map(([planner, ss]) => ({ planner, ss, key: new Set(ss.map(s => s.layout)).size === 1 ? ss[0].layout : `planner ${planner}` }))
  for (const { ss, key } of keyed) {
    if (!letters.has(key)) letters.set(key, String.fromCharCode(65 + letters.size % 26) + (letters.size >= 26 ? String(Math.floor(letters.size / 26)) : ''))
    pooled.set(key, [...(pooled.get(key) ?? []), ...ss.flatMap(s => s.servedMs)])
  }
  let fastest: number[] = []
  for (const served of pooled.values()) if (fastest.length === 0 || median(served) < median(fastest)) fastest = served
  return keyed.map(({ planner, ss, key }) => {
    const served = pooled.get(key)!
    return { ...rowOf(scenario, planner, ss), samePlan: letters.get(key)!, planMedianMs: median(served), slowerP: served === fastest ? 1 : slowerP(served, fastest) }
  })
}

/**
 * The one-sided p-value of `slower` being slower than `faster` (Mann-Whitney U: the rank sum of `slower`
 * over both samples pooled, ties at their mean rank; the normal approximation with a continuity
 * correction, good from about 8 requests a side).
 */
export function slowerP (slower: readonly number[], faster: readonly number[]): number {
  const n = slower.length
  const m = faster.length
  if (n === 0 || m === 0) throw new RangeError('a Mann-Whitney test needs requests on both sides')
  const u = wilcoxonRankSum([...slower], [...faster]) - n * (n + 1) / 2
  const z = (u - n * m / 2 - 0.5) / Math.sqrt(n * m * (n + m + 1) / 12)
  return 0.5 - 0.5 * errorFunction(z / Math.SQRT2)
}

/** The planners whose plan measured fastest in a scenario, judged on each plan's pooled median. */
export function fastestPlanners (rows: readonly TestbedRow[]): Set<string> {
  const best = Math.min(...rows.map(r => r.planMedianMs))
  return new Set(rows.filter(r => r.planMedianMs === best).map(r => r.planner))
}

/** The significance at which a plan counts as slower than the fastest. */
export const TIE_ALPHA = 0.05

/** The planners whose plan this run did not tell from the fastest (slowerP at least `alpha`), the fastest's own included. */
export function tiedPlanners (rows: readonly TestbedRow[], alpha = TIE_ALPHA): Set<string> {
  return new Set([...fastestPlanners(rows), ...rows.filter(r => r.slowerP >= alpha).map(r => r.planner)])
}


/** Each device's factor, median over the rounds that have one. */
function factors (rounds: ReadonlyArray<Readonly<Record<string, number>>>): Record<string, number> {
  const devices = [...new Set(rounds.flatMap(r => Object.keys(r)))]
  return Object.fromEntries(devices.map(d => [d, median(rounds.flatMap(r => r[d] ?? []))]))
}

/** A planner's row from its samples (rounds): requests pooled, predictions by their median. */
export function rowOf (scenario: string, planner: string, samples: readonly TestbedSample[]): Omit<TestbedRow, 'samePlan' | 'planMedianMs' | 'slowerP'> {
  if (samples.length === 0) throw new RangeError(`no samples of ${planner}`)
  const served = samples.flatMap(s => s.servedMs)
  const predictedMs = median(samples.map(s => s.predictedMs))
  const measuredMedianMs = median(served)
  const distinct = (xs: string[]): string[] => [...new Set(xs)]
  return {
    scenario,
    planner,
    predictedMs,
    measuredMedianMs,
    measuredP95Ms: percentile(served, 95),
    predictionError: predictionError(predictedMs, measuredMedianMs),
    nominalMs: median(samples.map(s => s.nominalMs)),
    computeRatio: median(samples.map(s => s.computeRatio)),
    runRatio: median(samples.map(s => s.runRatio)),
    clientMedianMs: median(samples.flatMap(s => s.clientMs)),
    requests: served.length,
    plan: samples.map(s => s.plan).join(' '),
    servedBy: distinct(samples.map(s => s.servedBy)).join(' '),
    devices: distinct(samples.flatMap(s => s.devices)),
    leader: distinct(samples.map(s => s.leader)).join(' '),
    verified: samples.some(s => s.verified === false) ? false : samples.every(s => s.verified === true) ? true : null,
    rounds: samples.map(s => ({ plan: s.plan, predictedMs: s.predictedMs, measuredMedianMs: median(s.servedMs) })),
    ...(samples.some(s => s.replanned != null) ? { replanned: distinct(samples.flatMap(s => s.replanned ?? [])).join('; ') } : {}),
    cpu: Object.fromEntries(distinct(samples.flatMap(s => Object.keys(s.cpu))).map((d) => {
      const seen = samples.flatMap(s => s.cpu[d] ?? [])
      return [d, { msPerRequest: median(seen.map(c => c.msPerRequest)), quotaUse: median(seen.map(c => c.quotaUse)) }]
    })),
    speed: factors(samples.map(s => s.speed)),
    service: factors(samples.map(s => s.service))
  }
}

/** The device that used the largest share of its quota during the requests, or undefined without figures. */
export function busiestDevice (cpu: Readonly<Record<string, DeviceCpu>>): { device: string, cpu: DeviceCpu } | undefined {
  let best: { device: string, cpu: DeviceCpu } | undefined
  for (const [device, c] of Object.entries(cpu)) if (best == null || c.quotaUse > best.cpu.quotaUse) best = { device, cpu: c }
  return best
}
