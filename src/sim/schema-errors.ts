// Turns zod issues into one message that names each bad key and what is allowed there.
import { z } from 'zod'

type Issue = z.core.$ZodIssue

/** A zod strict object whose "unknown key" message lists the keys that are allowed. */
export function strictObject<T extends z.core.$ZodLooseShape> (shape: T): z.ZodObject<T, z.core.$strict> {
  const allowed = Object.keys(shape).join(', ')
  return z.strictObject(shape, {
    error: (iss) => iss.code === 'unrecognized_keys'
      ? `unknown key${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => `"${k}"`).join(', ')} (allowed: ${allowed})`
      : undefined
  })
}

/** `devices[1].profile` style path. */
export function formatPath (path: ReadonlyArray<PropertyKey>): string {
  let out = ''
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`
    else out += out === '' ? String(key) : `.${String(key)}`
  }
  return out === '' ? '(top level)' : out
}

/** A branch failed only because the value has another type altogether: it is not the branch the author meant. */
function wrongBranch (issues: Issue[]): boolean {
  return issues.some((i) => i.path.length === 0 && i.code === 'invalid_type')
}

/** Flattens unions: reports the branch the value was evidently meant for, or the union's own message. */
function flatten (issue: Issue, prefix: ReadonlyArray<PropertyKey>): Array<{ path: PropertyKey[], message: string }> {
  const path = [...prefix, ...issue.path]
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const candidates = issue.errors.filter((branch) => !wrongBranch(branch))
    if (candidates.length > 0) {
      const fewest = Math.min(...candidates.map((b) => b.length))
      const best = candidates.filter((b) => b.length === fewest)
      if (best.length === 1) return best[0].flatMap((i) => flatten(i, path))
    }
  }
  return [{ path, message: issue.message }]
}

/** One line per problem: `path: message`. */
export function formatIssues (error: z.ZodError, max = 8): string {
  const lines = error.issues.flatMap((i) => flatten(i, [])).map((p) => `${formatPath(p.path)}: ${p.message}`)
  const shown = lines.slice(0, max)
  if (lines.length > max) shown.push(`(and ${lines.length - max} more)`)
  return shown.join('; ')
}
