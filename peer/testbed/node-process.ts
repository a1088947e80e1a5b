// A process running inside a testbed node: started in the node's CPU cgroup (before anything runs)
// and network namespace, its stdout read line by line, stopped with SIGTERM then SIGKILL.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { TestbedError } from '../../src/errors.js'
import { logger } from '../../src/logger.js'
import { processCpuMs } from '../../src/process-cpu.js'
import type { ChildProcess } from 'node:child_process'

const log = logger('testbed')

// The shell joins the cgroup by its own pid, then execs `ip netns exec`, which execs the command:
// one pid throughout, so the command and every thread and child it makes are capped from the start.
// (The cgroup is joined outside `ip netns exec`, which remounts /sys for the namespace.)
const LAUNCHER = 'cg="$1"; ns="$2"; shift 2; if [ -n "$cg" ]; then echo $$ > "$cg/cgroup.procs" || exit 125; fi; exec ip netns exec "$ns" "$@"'

export interface NodeProcessInit {
  netns: string
  /** The cgroup directory to run in (none: uncapped). */
  cgroup?: string
  command: string
  args: string[]
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** Name in logs and errors. */
  label: string
}

export interface ExitStatus {
  code: number | null
  signal: NodeJS.Signals | null
}

export class NodeProcess {
  readonly label: string
  private readonly child: ChildProcess
  private readonly exitPromise: Promise<ExitStatus>
  private readonly lineListeners = new Set<(line: string) => void>()
  private readonly stderrTail: string[] = []
  private exitStatus?: ExitStatus

  constructor (init: NodeProcessInit) {
    this.label = init.label
    this.child = spawn('sh', ['-c', LAUNCHER, 'testbed-launch', init.cgroup ?? '', init.netns, init.command, ...init.args], {
      env: init.env ?? process.env,
      cwd: init.cwd,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    this.exitPromise = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitStatus = { code, signal }
        log('%s exited (code %s, signal %s)', this.label, code, signal)
        resolve(this.exitStatus)
      })
      this.child.once('error', (err) => {
        log('%s could not start: %s', this.label, err.message)
        this.exitStatus = { code: 127, signal: null }
        resolve(this.exitStatus)
      })
    })
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      for (const l of this.lineListeners) l(line)
    })
    createInterface({ input: this.child.stderr! }).on('line', (line) => {
      log('%s stderr: %s', this.label, line)
      this.stderrTail.push(line)
      if (this.stderrTail.length > 20) this.stderrTail.shift()
    })
  }

  get pid (): number | undefined {
    return this.child.pid
  }

  /** CPU time it has used so far (all its threads), ms; undefined once it has exited. */
  async cpuMs (): Promise<number | undefined> {
    if (this.exitStatus != null || this.child.pid == null) return undefined
    return await processCpuMs(this.child.pid)
  }

  /** The exit status once it has exited. */
  get exited (): ExitStatus | undefined {
    return this.exitStatus
  }

  /** The last lines it wrote to stderr (for error messages). */
  get stderr (): string {
    return this.stderrTail.join('\n')
  }

  /** Calls `listener` with every stdout line from now on; returns the unsubscribe. */
  onLine (listener: (line: string) => void): () => void {
    this.lineListeners.add(listener)
    return () => { this.lineListeners.delete(listener) }
  }

  /** Resolves when it exits. */
  async wait (): Promise<ExitStatus> {
    return await this.exitPromise
  }

  /** Stops it: SIGTERM, then SIGKILL after `graceMs`. */
  async stop (graceMs = 5000): Promise<ExitStatus> {
    if (this.exitStatus != null) return this.exitStatus
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => {
      log('%s ignored SIGTERM for %d ms: SIGKILL', this.label, graceMs)
      this.child.kill('SIGKILL')
    }, graceMs)
    try {
      return await this.exitPromise
    } finally {
      clearTimeout(timer)
    }
  }

  /** A TestbedError saying it exited, with its stderr. */
  exitError (what: string): TestbedError {
    const s = this.exitStatus
    const how = s == null ? 'is still running' : s.signal != null ? `was killed by ${s.signal}` : `exited with code ${String(s.code)}`
    const tail = this.stderr.trim()
    return new TestbedError(`${this.label} ${how} ${what}${tail !== '' ? `:\n${tail}` : ''}`)
  }
}
