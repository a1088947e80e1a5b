// tessera bench WHAT ...: benchmarks, one module per target, each printing a table (or JSON).
import { InvalidInputError } from '../errors.js'
import type { Command } from './main.js'

const BENCHES: Record<string, { summary: string, load: () => Promise<{ run: Command }> }> = {
  tensor: { summary: 'tensor-stream throughput between two peers against raw TCP (loopback)', load: async () => await import('./bench-tensor.js') },
  mesh: { summary: 'end-to-end latency of a local mesh of N peers against one peer', load: async () => await import('./bench-mesh.js') },
  planners: { summary: 'every planner on every scenario: predicted latency, lower bound, planning time', load: async () => await import('./bench-planners.js') },
  profile: { summary: 'a measured profile of this machine against real single-device runs of volumes', load: async () => await import('./bench-profile.js') },
  simulator: { summary: 'microseconds per simulated plan, cold and warm caches', load: async () => await import('./bench-simulator.js') },
  engine: { summary: 'latency of the whole model against the same model run as 1 and 4 layer-volumes on one device', load: async () => await import('./bench-engine.js') },
  distredge: { summary: 'distredge against the baselines and search: latency, training time, speedup over aofl, episodes and paper preset', load: async () => await import('./bench-distredge.js') }
}

function usage (): string {
  const lines = Object.entries(BENCHES).map(([name, b]) => `  ${name.padEnd(10)} ${b.summary}`)
  return `usage: tessera bench <target> [options]\n\ntargets:\n${lines.join('\n')}\n\nRun tessera bench <target> --help for its options.`
}

export async function run (argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name == null || name === '--help' || name === '-h') {
    process.stdout.write(usage() + '\n')
    return name == null ? 2 : 0
  }
  const bench = Object.hasOwn(BENCHES, name) ? BENCHES[name] : undefined
  if (bench == null) throw new InvalidInputError(`unknown benchmark "${name}" (targets: ${Object.keys(BENCHES).join(', ')})`)
  const { run } = await bench.load()
  return await run(rest)
}
