// Loaded before every test file: the Node 20 polyfills and the TypeScript loader.
import '../src/polyfill.js'
import { register } from 'tsx/esm/api'

register()
