// The tessera command: dispatches to one module per subcommand. The only place that exits.
import { TesseraError } from '../errors.js'

/** A subcommand: takes its own argv, returns the process exit code. */
export type Command = (argv: string[]) => Promise<number>

const COMMANDS: Record<string, { summary: string, load: () => Promise<{ run: Command }> }> = {
  plan: { summary: 'plan an inference of a scenario with one planner; print the plan and its predicted latency', load: async () => await import('./plan.js') },
  simulate: { summary: 'simulate a plan on a scenario: latency and per-device timeline (--gantt draws it)', load: async () => await import('./simulate.js') },
  profile: { summary: 'measure this machine\'s compute profile of a model (latency per volume against rows)', load: async () => await import('./profile.js') },
  bench: { summary: 'benchmarks (tessera bench planners, ...) printed as tables', load: async () => await import('./bench.js') },
  check: { summary: 'run random plans part by part on this machine and compare with the whole model', load: async () => await import('./check.js') },
  inspect: { summary: 'show a model\'s nodes, shapes, FLOPs and valid cut points', load: async () => await import('./inspect.js') },
  peer: { summary: 'run a mesh peer: discovery, election, plans, serving its share of inferences', load: async () => await import('./peer.js') },
  infer: { summary: 'run inferences through the mesh as a requester (top-5 or checksum, latency, --verify)', load: async () => await import('./infer.js') },
  testbed: { summary: 'emulate a scenario\'s devices and links as root (namespaces, tc, cgroups), run real peers, measure each planner', load: async () => await import('./testbed.js') },
  demo: { summary: 'a local mesh of 4 peers on loopback running inferences, against one peer (npm start)', load: async () => await import('./demo.js') },
  zoo: { summary: 'list the built-in models, or build them (seeded weights) into the model cache', load: async () => await import('./zoo.js') },
}

function usage (): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  return `usage: tessera <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun tessera <command> --help for a command's options.`
}

export async function main (argv: string[]): Promise<void> {
  // a reader that stops early (`tessera ... | head`) is not an error
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0)
    throw err
  })
  const [name, ...rest] = argv
  if (name == null || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n')
    process.exit(name == null ? 2 : 0)
  }
  const command = COMMANDS[name]
  if (command == null) {
    process.stderr.write(`tessera: unknown command "${name}"\n${usage()}\n`)
    process.exit(2)
  }
  try {
    const { run } = await command.load()
    process.exitCode = await run(rest)
  } catch (err: any) {
    if (err instanceof TesseraError) {
      process.stderr.write(`tessera ${name}: ${err.message}\n`)
      process.exit(err.exitCode)
    }
    throw err
  }
}
