// Each emulated device keeps its own model cache directory, so the profile it measures under its
// caps is its own: peers on one machine otherwise share one profile file per machine. Built-in
// models are linked in from the shared cache, not built again.
import { mkdir, readdir, readFile, symlink } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { TestbedError } from '../../src/errors.js'
import type { ResolvedModel } from '../../models/zoo.js'

/** The directory of one device's cache (its key holds what its profile depends on). */
export function deviceCacheDir (root: string, scenario: string, device: { id: string, cpuQuota: number }, cfsPeriodUs: number): string {
  const clean = (s: string): string => s.replace(/[^\w.-]/g, '_')
  return join(root, clean(scenario), `${clean(device.id)}-q${device.cpuQuota}-p${cfsPeriodUs}`)
}

/** Creates a device's cache directory; returns the model spec its peer is given (the built-in name, or the .onnx path). */
export async function prepareDeviceCache (dir: string, model: ResolvedModel): Promise<string> {
  await mkdir(dir, { recursive: true })
  if (!model.builtin) return model.path
  const link = join(dir, basename(model.path))
  try {
    await symlink(model.path, link)
  } catch (err: any) {
    if (err?.code !== 'EEXIST') throw new TestbedError(`cannot link the model into ${dir}: ${err.message as string}`)
  }
  return model.name
}

/** The profile files of model `sha256` in a device's cache directory `profiles`. */
async function profileFiles (profiles: string, sha256: string): Promise<string[]> {
  return (await readdir(profiles)).filter(f => f.startsWith(sha256) && f.endsWith('.json'))
}

/** The measured profile a device's peer wrote into its cache (the profile file's JSON). */
export async function readDeviceProfile (dir: string, sha256: string): Promise<unknown> {
  const profiles = join(dir, 'profiles')
  const files = await profileFiles(profiles, sha256)
  if (files.length !== 1) throw new TestbedError(`expected one profile of model ${sha256.slice(0, 12)} in ${profiles}, found ${files.length}`)
  return JSON.parse(await readFile(join(profiles, files[0]), 'utf8'))
}

/** Whether a device's cache holds a profile of the model already (its peer reads it back instead of measuring). */
export async function hasDeviceProfile (dir: string, sha256: string): Promise<boolean> {
  try {
    return (await profileFiles(join(dir, 'profiles'), sha256)).length > 0
  } catch (err: any) {
    if (err?.code === 'ENOENT') return false
    throw err
  }
}
