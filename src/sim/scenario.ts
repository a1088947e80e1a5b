// Scenario files: schema (zod), defaults, cross-checks, and resolution into the Scenario planners see.
import { readFileSync } from 'node:fs'
import { basename, dirname, resolve as resolvePath } from 'node:path'
import { z } from 'zod'
import { InvalidScenarioError } from '../errors.js'
import type { Graph } from '../graph/types.js'
import type { DeviceId } from '../plan/types.js'
import { readMeasuredProfile } from './profile-measured.js'
import { BUILTIN_PROFILES, BUILTIN_PROFILE_NAMES } from './profile-roofline.js'
import { loadScenarioModel } from './scenario-model.js'
import { formatIssues, strictObject } from './schema-errors.js'
import { REQUESTER, type ComputeProfile, type Device, type MeasuredProfile, type Requester, type Scenario } from './types.js'

/** The profile name a testbed device uses to say "profile yourself": its table is supplied at resolution. */
export const SELF_MEASURED = 'measured'

const mbps = z.number({ error: 'expected a positive number of Mbps' }).finite().positive({ error: 'expected a positive number of Mbps' })

const RooflineSchema = strictObject({
  kind: z.literal('roofline', { error: 'expected "roofline" (a measured profile is given by its file path)' }),
  gflops: z.number().finite().positive({ error: 'expected a positive number of GFLOP/s' }),
  memGBps: z.number().finite().positive({ error: 'expected a positive number of GB/s' }),
  overheadMs: z.number().finite().nonnegative({ error: 'expected a number of ms >= 0' }).optional(),
  rowQuantum: z.number().int({ error: 'expected an integer >= 1' }).min(1, { error: 'expected an integer >= 1' }).optional()
})

const PROFILE_HELP = `expected a built-in profile (${BUILTIN_PROFILE_NAMES.join(', ')}), "${SELF_MEASURED}", a path to a measured profile file, or { "kind": "roofline", "gflops", "memGBps", "overheadMs", "rowQuantum" }`

const DeviceSchema = strictObject({
  id: z.string({ error: 'expected a device id (a non-empty string)' }).min(1, { error: 'expected a device id (a non-empty string)' })
    .refine((id) => id !== REQUESTER, { error: `"${REQUESTER}" is reserved for the requester; pick another id` }),
  profile: z.union([z.string().min(1), RooflineSchema], { error: PROFILE_HELP }),
  uplinkMbps: mbps,
  downlinkMbps: mbps.optional()
})

const RequesterSchema = z.union([
  strictObject({ uplinkMbps: mbps, downlinkMbps: mbps.optional() }),
  strictObject({ device: z.string().min(1) })
], { error: 'expected { "uplinkMbps", "downlinkMbps" } (the requester\'s own links) or { "device": "<id>" } (a provider that holds the input)' })

const ScenarioSchema = strictObject({
  name: z.string().min(1).optional(),
  model: z.string({ error: 'expected a built-in model name or a path to an .onnx file' }).min(1, { error: 'expected a built-in model name or a path to an .onnx file' }),
  inputShape: z.array(z.number().int().positive(), { error: 'expected an array of positive integers, e.g. [1, 3, 224, 224]' }).min(1).optional(),
  requester: RequesterSchema,
  devices: z.array(DeviceSchema, { error: 'expected an array of devices' }).min(1, { error: 'expected at least one device' }),
  latencyMs: z.number().finite().nonnegative({ error: 'expected a number of ms >= 0' }).optional(),
  linkMbps: z.record(z.string(), z.record(z.string(), mbps), { error: 'expected { "<from>": { "<to>": Mbps } }' }).optional(),
  linkLatencyMs: z.record(z.string(), z.record(z.string(), z.number().finite().nonnegative({ error: 'expected a number of ms >= 0' })), { error: 'expected { "<from>": { "<to>": ms } }' }).optional(),
  testbed: z.record(z.string(), strictObject({ cpuQuota: z.number().finite().positive({ error: 'expected a positive fraction of one core' }) })).optional()
})

/** The file as written (validated shape, before defaults). */
export type ScenarioInput = z.infer<typeof ScenarioSchema>

/** A scenario file with every default filled in and every cross-reference checked. */
export interface ScenarioFile {
  name: string
  model: string
  inputShape?: number[]
  requester: { uplinkMbps: number, downlinkMbps: number } | { device: DeviceId }
  devices: Array<{ id: DeviceId, profile: string | { kind: 'roofline', gflops: number, memGBps: number, overheadMs: number, rowQuantum: number }, uplinkMbps: number, downlinkMbps: number }>
  latencyMs: number
  linkMbps: Record<string, Record<string, number>>
  linkLatencyMs: Record<string, Record<string, number>>
  testbed: Record<DeviceId, { cpuQuota: number }>
}

function fail (source: string, message: string): never {
  throw new InvalidScenarioError(`scenario ${source}: ${message}`)
}

/** Fills the documented defaults: downlink = uplink, latencyMs 0, no link overrides (rate or latency), name from the file. */
function withDefaults (input: ScenarioInput, source: string): ScenarioFile {
  return {
    name: input.name ?? basename(source).replace(/\.json$/i, ''),
    model: input.model,
    inputShape: input.inputShape,
    requester: 'device' in input.requester
      ? { device: input.requester.device }
      : { uplinkMbps: input.requester.uplinkMbps, downlinkMbps: input.requester.downlinkMbps ?? input.requester.uplinkMbps },
    devices: input.devices.map((d) => ({
      id: d.id,
      profile: typeof d.profile === 'string' ? d.profile : { kind: 'roofline', gflops: d.profile.gflops, memGBps: d.profile.memGBps, overheadMs: d.profile.overheadMs ?? 0, rowQuantum: d.profile.rowQuantum ?? 1 },
      uplinkMbps: d.uplinkMbps,
      downlinkMbps: d.downlinkMbps ?? d.uplinkMbps
    })),
    latencyMs: input.latencyMs ?? 0,
    linkMbps: input.linkMbps ?? {},
    linkLatencyMs: input.linkLatencyMs ?? {},
    testbed: input.testbed ?? {}
  }
}

/** Checks what the schema cannot: unique ids, and that every name refers to a device. */
function crossCheck (file: ScenarioFile, source: string): void {
  const ids = new Map<string, number>()
  file.devices.forEach((d, i) => {
    const first = ids.get(d.id)
    if (first != null) fail(source, `devices[${i}].id: "${d.id}" is already the id of devices[${first}]`)
    ids.set(d.id, i)
  })
  const known = [...ids.keys()].map((id) => `"${id}"`).join(', ')
  const requesterDevice = 'device' in file.requester ? file.requester.device : undefined
  if (requesterDevice != null && !ids.has(requesterDevice)) {
    fail(source, `requester.device: "${requesterDevice}" is not a device of this scenario (devices: ${known})`)
  }
  const linkName = (name: string, path: string): void => {
    if (name === REQUESTER) {
      if (requesterDevice != null) fail(source, `${path}: the requester is device "${requesterDevice}" here; name it by that id`)
      return
    }
    if (!ids.has(name)) fail(source, `${path}: "${name}" is not a device of this scenario (allowed: ${known}, "${REQUESTER}")`)
  }
  for (const key of ['linkMbps', 'linkLatencyMs'] as const) {
    for (const [from, row] of Object.entries(file[key])) {
      linkName(from, `${key}.${from}`)
      for (const to of Object.keys(row)) {
        linkName(to, `${key}.${from}.${to}`)
        if (to === from) fail(source, `${key}.${from}.${to}: a device does not send to itself over a link`)
      }
    }
  }
  for (const id of Object.keys(file.testbed)) {
    if (!ids.has(id)) fail(source, `testbed.${id}: "${id}" is not a device of this scenario (devices: ${known})`)
  }
}

/** Validates a parsed scenario (JSON value), fills defaults, checks cross-references. `source` names it in errors. */
export function parseScenario (json: unknown, source = 'scenario'): ScenarioFile {
  const r = ScenarioSchema.safeParse(json)
  if (!r.success) fail(source, formatIssues(r.error))
  const file = withDefaults(r.data, source)
  crossCheck(file, source)
  return file
}

/** Reads, validates and fills in a scenario file. */
export function readScenarioFile (path: string): ScenarioFile {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new InvalidScenarioError(`scenario ${path}: cannot read it (${(err as Error).message})`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new InvalidScenarioError(`scenario ${path}: not JSON (${(err as Error).message})`)
  }
  return parseScenario(json, path)
}

export interface ResolveOptions {
  /** Directory relative paths (model, profile files) are taken from; default the working directory. */
  baseDir?: string
  /** Name used in error messages (the file path). */
  source?: string
  /** The model's graph, when the caller has it loaded already (it must be the model the scenario names). */
  graph?: Graph
  /** Measured tables of devices whose profile is "measured" (testbed and mesh peers profile themselves). */
  measured?: Readonly<Record<DeviceId, MeasuredProfile>>
}

const profileFiles = new Map<string, MeasuredProfile>()

function sameShape (a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

function resolveProfile (d: ScenarioFile['devices'][number], i: number, graph: Graph, options: ResolveOptions, source: string): ComputeProfile {
  const where = `devices[${i}].profile`
  if (typeof d.profile !== 'string') return { ...d.profile, name: 'custom' }
  const builtin = BUILTIN_PROFILES[d.profile]
  if (builtin != null) return builtin
  let measured: MeasuredProfile
  if (d.profile === SELF_MEASURED) {
    const supplied = options.measured?.[d.id]
    if (supplied == null) fail(source, `${where}: "${SELF_MEASURED}" needs the device's own measured table (run \`tessera profile\` on it and give the file's path instead)`)
    measured = supplied
  } else {
    const path = resolvePath(options.baseDir ?? '.', d.profile)
    let cached = profileFiles.get(path)
    if (cached == null) {
      try {
        cached = readMeasuredProfile(path)
      } catch (err) {
        fail(source, `${where}: "${d.profile}" is neither a built-in profile (${BUILTIN_PROFILE_NAMES.join(', ')}) nor a usable measured profile file: ${(err as Error).message}`)
      }
      profileFiles.set(path, cached)
    }
    measured = cached
  }
  if (measured.model.sha256 !== graph.sha256 || !sameShape(measured.model.inputShape, graph.inputShape)) {
    fail(source, `${where}: the measured profile ${measured.name} is for model ${measured.model.name} (sha256 ${measured.model.sha256.slice(0, 12)}, input [${measured.model.inputShape.join(', ')}]), not for this scenario's ${graph.name} (sha256 ${graph.sha256.slice(0, 12)}, input [${graph.inputShape.join(', ')}])`)
  }
  return measured
}

/** Resolves a checked scenario file: loads its model (built-in or path) and its device profiles. */
export async function resolveScenario (file: ScenarioFile, options: ResolveOptions = {}): Promise<Scenario> {
  const source = options.source ?? file.name
  const graph = options.graph ?? await loadScenarioModel(file.model, file.inputShape, options.baseDir ?? '.')
  if (file.inputShape != null && !sameShape(file.inputShape, graph.inputShape)) {
    fail(source, `inputShape: [${file.inputShape.join(', ')}] differs from the loaded model's input [${graph.inputShape.join(', ')}]`)
  }
  const devices: Device[] = file.devices.map((d, i) => ({
    id: d.id,
    index: i,
    profile: resolveProfile(d, i, graph, options, source),
    uplinkMbps: d.uplinkMbps,
    downlinkMbps: d.downlinkMbps
  }))
  const requester: Requester = 'device' in file.requester
    ? { kind: 'device', device: file.requester.device }
    : { kind: 'external', uplinkMbps: file.requester.uplinkMbps, downlinkMbps: file.requester.downlinkMbps }
  return {
    name: file.name,
    model: file.model,
    inputShape: [...graph.inputShape],
    graph,
    devices,
    requester,
    linkMbps: file.linkMbps,
    latencyMs: file.latencyMs,
    linkLatencyMs: file.linkLatencyMs,
    testbed: file.testbed
  }
}

/** Reads, validates and resolves a scenario file; relative paths in it are taken from its directory. */
export async function loadScenario (path: string, options: Omit<ResolveOptions, 'baseDir' | 'source'> = {}): Promise<Scenario> {
  const file = readScenarioFile(path)
  return await resolveScenario(file, { ...options, baseDir: dirname(path), source: path })
}
