// tessera inspect MODEL: nodes, shapes, FLOPs, the spatial prefix and the valid cut points.
import { cutPoints, cutPosition, spatialPrefixEnd } from '../graph/cuts.js'
import { graphWork, parameterCount } from '../graph/cost.js'
import { loadModelArgument } from './args.js'
import { parseCommand } from './command.js'

const HELP = `usage: tessera inspect MODEL [--input-shape 1,3,H,W] [--json]

MODEL is a built-in model name (see tessera zoo --list) or a path to an .onnx file.
Prints every node with its output shape and FLOPs, the spatial prefix (the part that can be
split by rows), and the valid cut points between layer-volumes.`

export async function run (argv: string[]): Promise<number> {
  const command = parseCommand(argv, {
    usage: HELP,
    positionals: 1,
    options: {
      'input-shape': { type: 'string' },
      json: { type: 'boolean', default: false }
    }
  })
  if (typeof command === 'number') return command
  const { values, positionals } = command
  const { graph } = await loadModelArgument(positionals[0], values['input-shape'])
  const work = graphWork(graph)
  const cuts = cutPoints(graph)
  const cutSet = new Set(cuts)
  const end = spatialPrefixEnd(graph)
  const prefixNodes = cutPosition(graph, end) + 1
  const nodes = graph.nodes.map(n => ({
    id: n.id,
    name: n.name,
    op: n.opType,
    inputs: n.inputs,
    outputs: n.outputs,
    shape: graph.shapes.get(n.outputs[0]) ?? [],
    flops: work.perNode[n.id].flops,
    bytes: work.perNode[n.id].bytes,
    spatial: graph.layout.has(n.outputs[0]),
    cut: n.outputs.some(o => cutSet.has(o))
  }))
  if (values.json) {
    process.stdout.write(JSON.stringify({
      model: graph.name,
      sha256: graph.sha256,
      input: graph.input,
      inputShape: graph.inputShape,
      opset: graph.opset,
      outputs: graph.outputs.map(o => ({ name: o, shape: graph.shapes.get(o) })),
      flops: work.flops,
      parameters: parameterCount(graph),
      spatialPrefixEnd: end,
      spatialPrefixNodes: prefixNodes,
      cutPoints: cuts,
      nodes
    }, null, 2) + '\n')
    return 0
  }
  const lines: string[] = []
  lines.push(`${graph.name}  sha256 ${graph.sha256.slice(0, 16)}…  input "${graph.input}" [${graph.inputShape.join(',')}]  opset ${graph.opset}`)
  lines.push(`${graph.nodes.length} nodes, ${(work.flops / 1e9).toFixed(2)} GFLOPs, ${(parameterCount(graph) / 1e6).toFixed(2)} M parameters`)
  lines.push('')
  const nameWidth = Math.min(40, Math.max(4, ...nodes.map(n => n.name.length)))
  lines.push(`${'id'.padStart(4)}  ${'node'.padEnd(nameWidth)}  ${'op'.padEnd(18)}  ${'output'.padEnd(18)}  ${'MFLOPs'.padStart(9)}  cut`)
  for (const n of nodes) {
    const name = n.name.length > nameWidth ? '…' + n.name.slice(-(nameWidth - 1)) : n.name
    lines.push(`${String(n.id).padStart(4)}  ${name.padEnd(nameWidth)}  ${n.op.padEnd(18)}  ${n.shape.join('x').padEnd(18)}  ${(n.flops / 1e6).toFixed(1).padStart(9)}  ${n.cut ? 'yes' : ''}`)
  }
  lines.push('')
  const tail = graph.nodes.slice(prefixNodes).map(n => n.opType)
  lines.push(`spatial prefix: nodes 0..${prefixNodes - 1}, ending at "${end}" [${graph.shapes.get(end)?.join(',') ?? ''}]`)
  lines.push(`tail: ${tail.length === 0 ? 'none (the model ends in the spatial part)' : `${tail.length} nodes (${[...new Set(tail)].join(', ')})`}`)
  lines.push(`valid cut points (${cuts.length}): ${cuts.join(', ')}`)
  process.stdout.write(lines.join('\n') + '\n')
  return 0
}
