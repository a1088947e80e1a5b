// The plan file format (docs/architecture.md, "Plan file"), validated at the edge: every error names
// the key that is wrong. Semantic checks against a model live in validate.ts.
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { InvalidPlanError } from '../errors.js'
import { formatIssues, strictObject } from '../sim/schema-errors.js'
import type { Plan } from './types.js'

const index = z.number().int('must be an integer').nonnegative('must be >= 0')

const range = z.tuple([index, index], { error: 'must be [start, end]' })
  .refine(([a, b]) => a <= b, { message: 'start must not exceed end' })

const partSchema = strictObject({
  device: z.string().min(1, 'must be a device id'),
  rows: range,
  cols: range.optional()
})

const volumeSchema = strictObject({
  input: z.string().min(1, 'must name a tensor'),
  output: z.string().min(1, 'must name a tensor'),
  parts: z.array(partSchema).min(1, 'a volume needs at least one part')
})

/** Zod schema of a plan file. */
export const PlanSchema = strictObject({
  planner: z.string().min(1, 'must name the planner'),
  scenario: z.string().optional(),
  predictedMs: z.number().nonnegative('must be >= 0').optional(),
  model: strictObject({
    name: z.string().min(1, 'must name the model'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
    inputShape: z.array(z.number().int().positive('must be positive'), { error: 'must be a list of dims' }).min(1)
  }),
  volumes: z.array(volumeSchema),
  tail: strictObject({ device: z.string().min(1, 'must be a device id') })
})

/** Parses a plan from JSON-decoded data; throws InvalidPlanError naming the bad key. */
export function parsePlan (value: unknown, source = 'plan'): Plan {
  const r = PlanSchema.safeParse(value)
  if (!r.success) throw new InvalidPlanError(`${source}: ${formatIssues(r.error)}`)
  return r.data as Plan
}

/** Reads and parses a plan file. */
export function readPlanFile (path: string): Plan {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err: any) {
    throw new InvalidPlanError(`cannot read plan file "${path}": ${err.code === 'ENOENT' ? 'no such file' : err.message as string}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err: any) {
    throw new InvalidPlanError(`plan file "${path}" is not JSON: ${err.message as string}`)
  }
  return parsePlan(json, `plan file "${path}"`)
}
