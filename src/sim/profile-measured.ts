// Measured compute profiles: the file `tessera profile` writes, its validation, and interpolation.
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { InvalidInputError } from '../errors.js'
import { formatIssues, strictObject } from './schema-errors.js'
import type { MeasuredProfile, MeasuredSegment } from './types.js'

/**
 * The profile file's format version: 2 added `receiveMs`, 3 `handoverMs` and `frameCost`, 4 `wholeMs`,
 * 5 `longHandover`; what a file predates reads as 0.
 */
export const MEASURED_PROFILE_VERSION = 5

const positiveInt = z.number().int().positive()
const nonNegative = z.number().finite().nonnegative()

const SegmentSchema = strictObject({
  input: z.string().min(1),
  output: z.string().min(1),
  height: positiveInt,
  points: z.array(z.tuple([positiveInt, nonNegative])).min(1)
}).superRefine((s, ctx) => {
  for (let i = 1; i < s.points.length; i++) {
    if (s.points[i][0] <= s.points[i - 1][0]) {
      ctx.addIssue({ code: 'custom', path: ['points', i], message: 'rows must increase strictly from point to point' })
      return
    }
  }
  if (s.points[s.points.length - 1][0] !== s.height) {
    ctx.addIssue({ code: 'custom', path: ['points'], message: `the last point must be at rows = height (${s.height})` })
  }
})

const MeasuredProfileSchema = strictObject({
  kind: z.literal('measured'),
  version: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(MEASURED_PROFILE_VERSION)]),
  model: strictObject({ name: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 hex digits'), inputShape: z.array(positiveInt).min(1) }),
  machine: strictObject({ cpu: z.string(), cores: positiveInt, threads: positiveInt, clock: z.enum(['wall', 'cpu']) }),
  segments: z.array(SegmentSchema),
  layers: z.array(SegmentSchema),
  pairs: z.array(strictObject({ middle: z.string().min(1), table: SegmentSchema })),
  callMs: nonNegative,
  tailMs: nonNegative,
  receiveMs: nonNegative.optional(),
  handoverMs: nonNegative.optional(),
  frameCost: strictObject({ fixedMs: nonNegative, msPerMiB: nonNegative }).optional(),
  wholeMs: nonNegative.optional(),
  longHandover: strictObject({ runMs: nonNegative, ms: nonNegative }).optional()
}).superRefine((f, ctx) => {
  // each key from the version that added it on, and not before
  const since: Array<[key: 'receiveMs' | 'handoverMs' | 'frameCost' | 'wholeMs' | 'longHandover', version: number]> = [['receiveMs', 2], ['handoverMs', 3], ['frameCost', 3], ['wholeMs', 4], ['longHandover', 5]]
  for (const [key, version] of since) {
    if (f.version < version && f[key] != null) ctx.addIssue({ code: 'custom', path: [key], message: `a version ${f.version} profile has no ${key} (version ${version} added it)` })
    if (f.version >= version && f[key] == null) ctx.addIssue({ code: 'custom', path: [key], message: `required in a version ${f.version} profile` })
  }
})

/** The JSON a measured profile file holds. */
export type MeasuredProfileFile = z.infer<typeof MeasuredProfileSchema>

/** Validates a parsed profile file; `name` is how the profile will be known (its path). */
export function parseMeasuredProfile (json: unknown, name: string): MeasuredProfile {
  const r = MeasuredProfileSchema.safeParse(json)
  if (!r.success) throw new InvalidInputError(`measured profile ${name}: ${formatIssues(r.error)}`)
  const f = r.data
  return {
    kind: 'measured',
    name,
    model: f.model,
    machine: f.machine,
    segments: f.segments.map((s) => ({ input: s.input, output: s.output, height: s.height, points: s.points })),
    layers: f.layers.map((s) => ({ input: s.input, output: s.output, height: s.height, points: s.points })),
    pairs: f.pairs.map((p) => ({ middle: p.middle, table: { input: p.table.input, output: p.table.output, height: p.table.height, points: p.table.points } })),
    callMs: f.callMs,
    tailMs: f.tailMs,
    receiveMs: f.receiveMs ?? 0,
    handoverMs: f.handoverMs ?? 0,
    frameCost: { fixedMs: f.frameCost?.fixedMs ?? 0, msPerMiB: f.frameCost?.msPerMiB ?? 0 },
    wholeMs: f.wholeMs ?? 0,
    longHandover: { runMs: f.longHandover?.runMs ?? 0, ms: f.longHandover?.ms ?? 0 }
  }
}

/** What an older profile file lacks: each a measurement of seconds, not the tables' minutes. */
export interface MissingMeasurements {
  receiveDelay: boolean
  /** The mesh costs, the hand-over after a long run among them. */
  meshCosts: boolean
  wholeModel: boolean
  /** The hand-over after a long run alone: a file that has the other mesh costs. */
  longHandover: boolean
}

/**
 * What a profile file predates (a valid file's version): the receive delay (version 1), the mesh
 * costs (versions 1 and 2), the whole model's time (versions 1 to 3), the hand-over after a long run
 * alone (versions 3 and 4; measuring the mesh costs measures it too). A peer measures just those and
 * rewrites it.
 */
export function missingMeasurements (json: unknown): MissingMeasurements {
  const version = typeof json === 'object' && json != null ? (json as { version?: unknown }).version : undefined
  const older = (than: number): boolean => typeof version === 'number' && version < than
  return { receiveDelay: older(2), meshCosts: older(3), wholeModel: older(4), longHandover: older(5) && !older(3) }
}

/** Whether a profile file lacks any measurement. */
export function lacksAny (missing: MissingMeasurements): boolean {
  return missing.receiveDelay || missing.meshCosts || missing.wholeModel || missing.longHandover
}

/** Reads and validates a measured profile file. */
export function readMeasuredProfile (path: string): MeasuredProfile {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new InvalidInputError(`measured profile ${path}: cannot read it (${(err as Error).message})`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new InvalidInputError(`measured profile ${path}: not JSON (${(err as Error).message})`)
  }
  return parseMeasuredProfile(json, path)
}

function segmentToJson (s: MeasuredSegment): MeasuredProfileFile['segments'][number] {
  return { input: s.input, output: s.output, height: s.height, points: s.points.map(([r, ms]) => [r, ms] as [number, number]) }
}

/** The file form of a profile (what `tessera profile --out` writes). */
export function measuredProfileToJson (p: MeasuredProfile): MeasuredProfileFile {
  return {
    kind: 'measured',
    version: MEASURED_PROFILE_VERSION,
    model: { name: p.model.name, sha256: p.model.sha256, inputShape: [...p.model.inputShape] },
    machine: { ...p.machine },
    segments: p.segments.map(segmentToJson),
    layers: p.layers.map(segmentToJson),
    pairs: p.pairs.map((x) => ({ middle: x.middle, table: segmentToJson(x.table) })),
    callMs: p.callMs,
    tailMs: p.tailMs,
    receiveMs: p.receiveMs,
    handoverMs: p.handoverMs,
    frameCost: { fixedMs: p.frameCost.fixedMs, msPerMiB: p.frameCost.msPerMiB },
    wholeMs: p.wholeMs,
    longHandover: { runMs: p.longHandover.runMs, ms: p.longHandover.ms }
  }
}

/**
 * The profile of a device that now runs `factor` times as slow as when it was measured (0.9: 10% faster):
 * every table, the call, the tail and the whole model scaled alike. The hand-overs, the receive delay
 * and the frame costs are measured apart and stay.
 */
export function scaleProfileSpeed (p: MeasuredProfile, factor: number): MeasuredProfile {
  if (!(factor > 0) || !Number.isFinite(factor)) throw new RangeError(`a profile's speed factor must be a positive number, got ${factor}`)
  const table = (s: MeasuredSegment): MeasuredSegment => ({ ...s, points: s.points.map(([r, ms]) => [r, ms * factor] as const) })
  return {
    ...p,
    segments: p.segments.map(table),
    layers: p.layers.map(table),
    pairs: p.pairs.map((x) => ({ middle: x.middle, table: table(x.table) })),
    callMs: p.callMs * factor,
    tailMs: p.tailMs * factor,
    wholeMs: p.wholeMs * factor
  }
}

/** ms of a segment computing `rows` output rows: linear between measured points, the first point's value below it. */
export function interpolateSegment (segment: MeasuredSegment, rows: number): number {
  if (rows <= 0) return 0
  const pts = segment.points
  if (rows <= pts[0][0]) return pts[0][1]
  let lo = 0
  let hi = pts.length - 1
  if (rows >= pts[hi][0]) return pts[hi][1]
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1
    if (pts[mid][0] <= rows) lo = mid
    else hi = mid
  }
  const [r0, m0] = pts[lo]
  const [r1, m1] = pts[hi]
  return m0 + (m1 - m0) * (rows - r0) / (r1 - r0)
}
