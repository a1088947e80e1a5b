// Network namespaces for integration tests: one namespace holding a bridge, and one namespace per
// peer joined to it by a veth pair, with a route for multicast so mDNS works between them. Nothing is
// attached to a real interface, so no packet (multicast included) leaves the machine.
import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import type { ChildProcess } from 'node:child_process'

/** Why namespaces cannot be made here (undefined: they can). */
export function netnsUnavailable (): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux'
  if (process.getuid?.() !== 0) return 'network namespaces need root (run the tests as root, as CI does)'
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' })
  } catch {
    return 'the ip command (iproute2) is not installed'
  }
  return undefined
}

function ip (...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] })
}

export interface Host {
  /** The namespace name. */
  ns: string
  /** The host's address on the test network. */
  addr: string
}

/** A private network: a bridge namespace and host namespaces on one /24. */
export class TestNet {
  readonly id = randomBytes(3).toString('hex')
  readonly subnet = `10.${100 + (parseInt(this.id.slice(0, 2), 16) % 100)}.${parseInt(this.id.slice(2, 4), 16)}`
  private readonly bridgeNs = `ts${this.id}br`
  private readonly namespaces: string[] = []
  private readonly children = new Set<ChildProcess>()
  private hosts = 0
  private readonly onExit = (): void => { this.destroySync() }

  constructor () {
    ip('netns', 'add', this.bridgeNs)
    this.namespaces.push(this.bridgeNs)
    process.on('exit', this.onExit)
    ip('-n', this.bridgeNs, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0')
    ip('-n', this.bridgeNs, 'link', 'set', 'br0', 'up')
  }

  /** A new namespace on the network; mDNS multicast is routed to its veth. */
  addHost (): Host {
    const i = ++this.hosts
    const ns = `ts${this.id}h${i}`
    const inner = `v${this.id}${i}a`
    const outer = `v${this.id}${i}b`
    ip('netns', 'add', ns)
    this.namespaces.push(ns)
    ip('link', 'add', inner, 'netns', ns, 'type', 'veth', 'peer', 'name', outer, 'netns', this.bridgeNs)
    ip('-n', this.bridgeNs, 'link', 'set', outer, 'master', 'br0')
    ip('-n', this.bridgeNs, 'link', 'set', outer, 'up')
    const addr = `${this.subnet}.${i}`
    ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', inner)
    ip('-n', ns, 'link', 'set', inner, 'up')
    ip('-n', ns, 'link', 'set', 'lo', 'up')
    ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', inner)
    return { ns, addr }
  }

  /** Starts a command inside a host's namespace; killed when the network is destroyed. */
  spawn (host: Host, command: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', host.ns, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
    this.children.add(child)
    child.once('exit', () => this.children.delete(child))
    return child
  }

  /** Kills every process started here and deletes every namespace (their veths go with them). */
  async destroy (): Promise<void> {
    const waits = [...this.children].map(async c => await new Promise<void>((resolve) => {
      if (c.exitCode != null || c.signalCode != null) { resolve(); return }
      c.once('exit', () => resolve())
      c.kill('SIGKILL')
    }))
    await Promise.all(waits)
    this.destroySync()
  }

  private destroySync (): void {
    for (const c of this.children) c.kill('SIGKILL')
    for (const ns of this.namespaces.splice(0).reverse()) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' })
      } catch {
        // already gone: nothing left to clean
      }
    }
    process.off('exit', this.onExit)
  }
}

/** The JSON event lines of a `tessera peer --json` process. */
export class PeerProcess {
  readonly events: Array<Record<string, any>> = []
  readonly stderr: string[] = []
  readonly exited: Promise<number | null>
  private readonly waiters = new Set<() => void>()

  constructor (readonly name: string, readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line))
      } catch {
        this.stderr.push(line)
      }
      for (const w of [...this.waiters]) w()
    })
    createInterface({ input: child.stderr! }).on('line', (line) => { this.stderr.push(line) })
    this.exited = new Promise(resolve => child.once('exit', (code) => {
      resolve(code)
      for (const w of [...this.waiters]) w()
    }))
  }

  get alive (): boolean {
    return this.child.exitCode == null && this.child.signalCode == null
  }

  /** Waits until `test` holds over the events; fails with the last events when it does not in time. */
  async until<T> (what: string, test: (events: Array<Record<string, any>>) => T | undefined | false, timeoutMs: number): Promise<T> {
    const deadline = performance.now() + timeoutMs
    while (true) {
      const r = test(this.events)
      if (r !== undefined && r !== false) return r
      if (performance.now() > deadline) {
        throw new Error(`${this.name}: ${what} did not happen within ${timeoutMs} ms; last events: ${this.events.slice(-8).map(e => JSON.stringify(e).slice(0, 300)).join('\n')}; stderr: ${this.stderr.slice(-5).join(' | ')}`)
      }
      await new Promise<void>((resolve) => {
        const w = (): void => { this.waiters.delete(w); clearTimeout(t); resolve() }
        const t = setTimeout(w, 200)
        this.waiters.add(w)
      })
    }
  }

  /** The leader as this peer last saw it. */
  leader (): { leader?: string, term: number, t: number } | undefined {
    const e = [...this.events].reverse().find(x => x.event === 'leader')
    return e == null ? undefined : { leader: e.leader, term: e.term, t: e.t }
  }
}
