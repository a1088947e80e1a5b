// The Tessera version a peer advertises.
import { readFileSync } from 'node:fs'

/** The package version (from package.json). */
export const TESSERA_VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version
