// A subcommand's argv parsed the way every tessera command parses it: its flags plus --help/-h,
// strict parsing (an unknown flag or a missing value is bad input: exit 2), and its positional
// arguments counted, with the usage printed for --help (exit 0) and for arguments that do not fit (exit 2).
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { InvalidInputError } from '../errors.js'

/** A command's flags, as node:util parseArgs takes them. */
export type CommandOptions = NonNullable<ParseArgsConfig['options']>

const HELP_OPTION = { help: { type: 'boolean', short: 'h', default: false } } as const

// the errors parseArgs throws for what the user typed (anything else is a bug, and is rethrown)
const PARSE_ERRORS = new Set(['ERR_PARSE_ARGS_UNKNOWN_OPTION', 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE', 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL'])

export interface CommandSpec<O extends CommandOptions, R extends keyof O & string> {
  /** Printed on stdout for --help and on stderr when the arguments do not fit; a function when it is built on demand. */
  usage: string | (() => string)
  /** The command's flags; --help/-h is added. */
  options: O
  /** Positional arguments: absent, none (parseArgs rejects one); a number, exactly that many; 'any', any number. */
  positionals?: number | 'any'
  /** Flags without which the command cannot run: the usage is printed (exit 2) when one is missing. */
  required?: readonly R[]
}

type ParsedConfig<O extends CommandOptions> = { args: string[], options: O & typeof HELP_OPTION, allowPositionals: true }

/** The flags' values, typed from the options (a flag with a default is always present). */
export type CommandValues<O extends CommandOptions> = ReturnType<typeof parseArgs<ParsedConfig<O>>>['values']

export interface ParsedCommand<O extends CommandOptions, R extends keyof O & string = never> {
  values: CommandValues<O> & { [K in R]-?: NonNullable<CommandValues<O>[K & keyof CommandValues<O>]> }
  positionals: string[]
}

/** Where the usage goes (the process's streams, but for tests). */
export interface CommandOutput {
  stdout: { write: (text: string) => unknown }
  stderr: { write: (text: string) => unknown }
}

/**
 * Parses a subcommand's argv: the values and positionals, or the exit code when there is nothing to
 * run (0 after --help, 2 after printing the usage for a wrong count of positionals or a missing required flag).
 * Throws InvalidInputError (exit code 2) for an unknown flag, a flag without its value, or an unexpected positional.
 */
export function parseCommand<const O extends CommandOptions, const R extends keyof O & string = never> (argv: string[], spec: CommandSpec<O, R>, output: CommandOutput = process): ParsedCommand<O, R> | number {
  let parsed: { values: Record<string, unknown>, positionals: string[] }
  try {
    parsed = parseArgs({ args: argv, options: { ...spec.options, ...HELP_OPTION }, allowPositionals: spec.positionals != null, strict: true })
  } catch (err: any) {
    if (PARSE_ERRORS.has(err?.code)) throw new InvalidInputError(err.message as string)
    throw err
  }
  const usage = (): string => (typeof spec.usage === 'string' ? spec.usage : spec.usage()) + '\n'
  if (parsed.values.help === true) {
    output.stdout.write(usage())
    return 0
  }
  const countFits = typeof spec.positionals !== 'number' || parsed.positionals.length === spec.positionals
  const missing = (spec.required ?? []).some((flag) => parsed.values[flag] == null)
  if (!countFits || missing) {
    output.stderr.write(usage())
    return 2
  }
  return parsed as ParsedCommand<O, R>
}
