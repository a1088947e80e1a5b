// The tessera command: dispatches to one module per subcommand. The only place that exits.
import { TesseraError } from '../errors.js'

/** A subcommand: takes its own argv, returns the process exit code. */
export type Command = (argv: string[]) => Promise<number>

const COMMANDS: Record<string, { summary: string, load: () => Promise<{ run: Command }> }> = {
}

function usage (): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  return `usage: tessera <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun tessera <command> --help for a command's options.`
}

export async function main (argv: string[]): Promise<void> {
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
    if (err?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || err?.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || err?.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      process.stderr.write(`tessera ${name}: ${err.message as string}\n`)
      process.exit(2)
    }
    throw err
  }
}
