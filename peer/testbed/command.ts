// Runs the host tools the testbed drives (ip, tc) and reads and writes control files, with errors
// that name the command and carry its stderr.
import { execFile } from 'node:child_process'
import { TestbedError } from '../../src/errors.js'
import { logger } from '../../src/logger.js'

const log = logger('testbed')

/** Runs `cmd args`; resolves with its stdout, rejects with a TestbedError holding the command and its stderr. */
export async function run (cmd: string, args: readonly string[], options: { timeoutMs?: number } = {}): Promise<string> {
  log('$ %s %s', cmd, args.join(' '))
  return await new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: options.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err != null) {
        const why = stderr.trim() !== '' ? stderr.trim() : err.message
        reject(new TestbedError(`\`${cmd} ${args.join(' ')}\` failed: ${why}`))
        return
      }
      resolve(stdout)
    })
  })
}

/** Runs `ip args`. */
export async function ip (...args: string[]): Promise<string> {
  return await run('ip', args)
}

/** Runs `tc args`, inside namespace `netns` when given. */
export async function tc (netns: string | undefined, ...args: string[]): Promise<string> {
  return netns == null ? await run('tc', args) : await run('ip', ['netns', 'exec', netns, 'tc', ...args])
}
