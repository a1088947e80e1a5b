// How `tessera peer` and `tessera demo` show a peer's mesh events: one readable line each.
import type { PeerEvents, TesseraPeer } from '../../peer/index.js'
import type { Plan } from '../plan/types.js'

/** "v1 conv1_out: a 0-40, b 40-56 | tail a" */
export function describePlan (plan: Plan): string {
  const volumes = plan.volumes.map((v, i) => {
    const parts = v.parts.filter(p => p.rows[1] > p.rows[0]).map(p => `${p.device} ${p.rows[0]}-${p.rows[1]}`)
    return `v${i + 1} ->${v.output}: ${parts.join(', ')}`
  })
  return [...volumes, `tail ${plan.tail.device}`].join(' | ')
}

/** Calls `write` with a line for every mesh event of `peer` (or the event as JSON when `json`). */
export function showPeerEvents (peer: TesseraPeer, write: (line: string) => void, json: boolean, prefix = ''): void {
  const show = <K extends keyof PeerEvents>(name: K, text: (e: PeerEvents[K]) => string | undefined): void => {
    peer.events.on(name, (e) => {
      if (json) {
        write(JSON.stringify({ event: name, peer: peer.name, t: Date.now(), ...(e as object) }))
        return
      }
      const line = text(e)
      if (line != null) write(prefix + line)
    })
  }
  show('joined', e => `discovered ${e.name} (${e.peer.slice(-8)})${e.models.length > 0 ? ` serving ${e.models.join(', ')}` : ''}`)
  show('left', e => `${e.name ?? e.peer.slice(-8)} left the mesh`)
  show('leader', e => e.leader == null ? `term ${e.term}: leader gone, electing` : `term ${e.term}: leader is ${e.name ?? e.leader.slice(-8)}${e.self ? ' (this peer)' : ''}`)
  show('model', e => `model ${e.name} ${e.how} (sha256 ${e.sha256.slice(0, 12)}...)`)
  show('profile', e => {
    if (e.done !== true) return undefined
    if (e.cached !== true) return `profile of ${e.model}: measured`
    const s = e.speed
    return `profile of ${e.model}: read from the cache${s == null ? '' : `, its largest segments ${s.referenceMs.toFixed(1)} ms now against ${s.cachedReferenceMs.toFixed(1)} in its tables: tables x${s.factor.toFixed(2)}`}`
  })
  show('planning', e => `planning ${e.model} over ${e.devices} device(s) with ${e.planner} (${e.reason})${e.scenario != null ? `; scenario in ${e.scenario}` : ''}`)
  show('plan', e => `plan ${e.key} from ${e.own ? 'this peer' : peer.nameOf(e.from)}: ${e.plan.planner}, ${e.members.length} device(s)${e.plan.predictedMs != null ? `, predicted ${e.plan.predictedMs.toFixed(1)} ms` : ''} | ${describePlan(e.plan)}`)
  show('speeds', e => `plan ${e.key}: members ran their parts at ${e.moves.map(m => `${m.device} x${m.factor.toFixed(2)} (planned x${m.was.toFixed(2)})`).join(', ')} of their tables: planning again`)
  show('repredicted', e => `plan ${e.key} stands on the newest measurements, predicted ${e.predictedMs.toFixed(1)} ms (was ${e.was.toFixed(1)})`)
  show('prepared', e => e.ok ? undefined : `could not prepare plan ${e.key}: ${e.reason}`)
  show('ready', e => `plan ${e.key} ready on every member`)
  show('rejected', e => `rejected plan ${e.term}.${e.planId} from ${peer.nameOf(e.from)}: ${e.reason}`)
  show('failed', e => `planner ${e.planner} failed for ${e.model}: ${e.reason}`)
  show('served', e => e.ok ? `served ${e.requestId} in ${e.ms.toFixed(1)} ms (plan ${e.plan}${e.attempts > 1 ? `, ${e.attempts} attempts` : ''})` : `request ${e.requestId} failed: ${e.error ?? 'unknown'}`)
}
